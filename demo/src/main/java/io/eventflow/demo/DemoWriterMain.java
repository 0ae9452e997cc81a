package io.eventflow.demo;

import java.time.Duration;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.examples.orders.Order;
import io.eventflow.examples.orders.OrderCommand;
import io.eventflow.examples.orders.OrderEvent;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.examples.orders.Orders;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;

/**
 * The demo writer on its own ({@code demo/target/demo-writer.jar}, the docker-compose service {@code demo-writer}):
 * appends Order events through the event-writer until it is stopped, and prints a line every 10 s.
 *
 * <p>Options: {@code --mongodb-uri} (default mongodb://127.0.0.1:27017/?replicaSet=rs0), {@code --database eventstore},
 * {@code --collection events}, {@code --rate 50} events per second, {@code --threads 2}.
 */
public final class DemoWriterMain {

    private DemoWriterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DemoOptions options = DemoOptions.parse(args);
        try (MongoClient client = MongoClients.create(options.get("mongodb-uri", "mongodb://127.0.0.1:27017/?replicaSet=rs0"))) {
            EventStore store = EventStore.builder().mongoClient(client).database(options.get("database", "eventstore"))
                .collection(options.get("collection", "events")).upcasters(Orders.UPCASTERS).build();
            AggregateRepository<Order, OrderCommand, OrderEvent> orders = AggregateRepository.builder(store, Orders.DEFINITION)
                .snapshotEvery(100).build();
            OrderLoadGenerator load = OrderLoadGenerator.builder(orders).ratePerSecond(options.getDouble("rate", 50))
                .threads(options.getInt("threads", 2)).seed(System.currentTimeMillis()).build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                load.close();
                orders.close();
            }, "demo-writer-shutdown"));
            System.out.println("appending Order events to " + store.namespace() + " at " + options.get("rate", "50") + "/s");
            while (true) {
                Thread.sleep(Duration.ofSeconds(10).toMillis());
                System.out.println("appended=" + load.eventsAppended() + " orders=" + load.ordersCreated()
                    + " failed=" + load.commandsFailed());
            }
        }
    }
}
