package io.eventflow.systemtests.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Realistic test traffic: Order aggregates (created in schema v1 or v2, confirmed, annotated, shipped or cancelled)
 * and Customer aggregates, appended through the event writer from several threads, each aggregate's events in
 * order but aggregates interleaved.
 */
public final class OrderTraffic {

    /** One aggregate's planned events. */
    public record Stream(String aggregateType, String aggregateId, List<NewEvent> events) {
    }

    private OrderTraffic() {
    }

    /** {@code aggregates} streams of {@code eventsPerAggregate} events each; four in five are orders. */
    public static List<Stream> plan(String prefix, int aggregates, int eventsPerAggregate, long seed) {
        Random random = new Random(seed);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < aggregates; i++) {
            boolean order = i % 5 != 4;
            String id = prefix + (order ? "-order-" : "-customer-") + i;
            List<NewEvent> events = new ArrayList<>();
            for (int n = 1; n <= eventsPerAggregate; n++) {
                events.add(order ? orderEvent(random, n, eventsPerAggregate) : customerEvent(random, n));
            }
            streams.add(new Stream(order ? "Order" : "Customer", id, events));
        }
        return streams;
    }

    /** Appends every stream with {@code threads} threads; each stream is appended by one thread, in order. */
    public static void append(EventStore store, List<Stream> streams, int threads, int eventsPerAppend) throws Exception {
        List<Stream> shuffled = new ArrayList<>(streams);
        Collections.shuffle(shuffled, new Random(42));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Stream> mine = new ArrayList<>();
                for (int i = t; i < shuffled.size(); i += threads) {
                    mine.add(shuffled.get(i));
                }
                futures.add(pool.submit(() -> {
                    int[] written = new int[mine.size()];
                    boolean progress = true;
                    while (progress) {
                        progress = false;
                        for (int s = 0; s < mine.size(); s++) {
                            Stream stream = mine.get(s);
                            if (written[s] < stream.events().size()) {
                                int end = Math.min(stream.events().size(), written[s] + eventsPerAppend);
                                store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(written[s]),
                                    stream.events().subList(written[s], end));
                                written[s] = end;
                                progress = true;
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static NewEvent orderEvent(Random random, int n, int total) {
        if (n == 1) {
            boolean v1 = random.nextBoolean();
            List<Map<String, Object>> items = new ArrayList<>();
            for (int line = 0; line < 1 + random.nextInt(3); line++) {
                BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(5000), 2);
                int quantity = 1 + random.nextInt(4);
                items.add(v1 ? Map.of("sku", "sku-" + random.nextInt(100), "qty", quantity, "price", price)
                    : Map.of("sku", "sku-" + random.nextInt(100), "quantity", quantity, "unitPrice", price));
            }
            Map<String, Object> payload = v1 ? Map.of("customerId", "customer-" + random.nextInt(50), "items", items)
                : Map.of("customerId", "customer-" + random.nextInt(50), "currency", "EUR", "items", items);
            return NewEvent.builder("OrderCreated").schemaVersion(v1 ? 1 : 2).payload(payload).build();
        }
        if (n == 2) {
            return NewEvent.of("OrderConfirmed", Map.of());
        }
        if (n == total) {
            return random.nextInt(4) == 0 ? NewEvent.of("OrderCancelled", Map.of("reason", "customer changed mind"))
                : NewEvent.of("OrderShipped", Map.of("carrier", "DHL", "trackingNumber", "T" + random.nextInt(1_000_000)));
        }
        return NewEvent.of("OrderNoteAdded", Map.of("note", "note " + n));
    }

    private static NewEvent customerEvent(Random random, int n) {
        return n == 1 ? NewEvent.of("CustomerRegistered", Map.of("name", "Customer " + random.nextInt(1000)))
            : NewEvent.of("CustomerAddressChanged", Map.of("city", "City " + random.nextInt(100)));
    }
}
