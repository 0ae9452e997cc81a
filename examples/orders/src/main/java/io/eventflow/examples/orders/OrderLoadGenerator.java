package io.eventflow.examples.orders;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.writer.aggregate.Aggregate;
import io.eventflow.writer.aggregate.AggregateRepository;

/**
 * Demo and test load: orders created, noted, confirmed, shipped or cancelled through the aggregate repository, at a
 * steady rate of commands (one event each). Each thread owns its own orders, so it always knows which command is
 * valid next; every command still goes through load, decide and save like a service's would.
 *
 * <pre>{@code
 * OrderLoadGenerator load = OrderLoadGenerator.builder(orders).ratePerSecond(50).threads(2).build();
 * load.start();
 * ...
 * load.close();   // stops after the commands in flight
 * }</pre>
 */
public final class OrderLoadGenerator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrderLoadGenerator.class);
    private static final List<String> SKUS = List.of("book-1", "pen-7", "lamp-3", "mug-2", "desk-9");
    private static final List<String> CARRIERS = List.of("DHL", "UPS", "PostNL");

    private final AggregateRepository<Order, OrderCommand, OrderEvent> orders;
    private final double ratePerSecond;
    private final int threads;
    private final int openOrdersPerThread;
    private final String idPrefix;
    private final long seed;
    private final AtomicLong eventsAppended = new AtomicLong();
    private final AtomicLong ordersCreated = new AtomicLong();
    private final AtomicLong commandsFailed = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    private OrderLoadGenerator(Builder builder) {
        this.orders = builder.orders;
        this.ratePerSecond = builder.ratePerSecond;
        this.threads = builder.threads;
        this.openOrdersPerThread = builder.openOrdersPerThread;
        this.idPrefix = builder.idPrefix;
        this.seed = builder.seed;
    }

    public static Builder builder(AggregateRepository<Order, OrderCommand, OrderEvent> orders) {
        return new Builder(orders);
    }

    /** Starts the worker threads. */
    public synchronized OrderLoadGenerator start() {
        if (running) {
            throw new IllegalStateException("the load generator is already running");
        }
        running = true;
        for (int i = 0; i < threads; i++) {
            int worker = i;
            Thread thread = new Thread(() -> work(worker), "order-load-" + i);
            thread.setDaemon(true);
            thread.start();
            workers.add(thread);
        }
        return this;
    }

    /** Events appended so far. */
    public long eventsAppended() {
        return eventsAppended.get();
    }

    public long ordersCreated() {
        return ordersCreated.get();
    }

    /** Commands that failed (conflicts beyond the retry budget, store errors); each is logged. */
    public long commandsFailed() {
        return commandsFailed.get();
    }

    /** Stops the workers and waits for the commands in flight. */
    @Override
    public synchronized void close() {
        running = false;
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        workers.clear();
    }

    private void work(int worker) {
        Random random = new Random(seed + worker);
        List<OpenOrder> open = new ArrayList<>();
        long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) * threads / ratePerSecond);
        long next = System.nanoTime();
        int created = 0;
        while (running) {
            if (open.size() < openOrdersPerThread) {
                open.add(new OpenOrder(idPrefix + worker + "-" + created++));
            }
            OpenOrder order = open.get(random.nextInt(open.size()));
            OrderCommand command = nextCommand(order, random);
            try {
                Aggregate<Order, OrderCommand, OrderEvent> saved = orders.handle(order.id, command);
                eventsAppended.addAndGet(saved.version() - order.version);
                if (order.version == 0) {
                    ordersCreated.incrementAndGet();
                }
                order.version = saved.version();
                order.status = saved.state().status();
                if (order.status == OrderStatus.SHIPPED || order.status == OrderStatus.CANCELLED) {
                    open.remove(order);
                }
            } catch (RuntimeException e) {
                commandsFailed.incrementAndGet();
                log.warn("command {} on {} failed: {}", command, order.id, e.getMessage());
                open.remove(order); // its state is unknown now: leave it
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime(); // fell behind: do not burst to catch up
            }
        }
    }

    private static OrderCommand nextCommand(OpenOrder order, Random random) {
        if (order.version == 0) {
            List<OrderLine> lines = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                lines.add(new OrderLine(SKUS.get(random.nextInt(SKUS.size())), 1 + random.nextInt(4),
                    BigDecimal.valueOf(100 + random.nextInt(9900), 2)));
            }
            return new OrderCommand.Create("customer-" + random.nextInt(500), "EUR", lines);
        }
        int dice = random.nextInt(10);
        if (order.status == OrderStatus.CONFIRMED) {
            if (dice < 6) {
                return new OrderCommand.Ship(CARRIERS.get(random.nextInt(CARRIERS.size())), "T-" + random.nextInt(1_000_000));
            }
            return dice < 7 ? new OrderCommand.Cancel("customer changed their mind") : new OrderCommand.AddNote("note " + dice);
        }
        return dice < 5 ? new OrderCommand.Confirm() : new OrderCommand.AddNote("note " + dice);
    }

    private static final class OpenOrder {
        final String id;
        long version;
        OrderStatus status;

        OpenOrder(String id) {
            this.id = id;
        }
    }

    /** Settings; the repository is required. */
    public static final class Builder {
        private final AggregateRepository<Order, OrderCommand, OrderEvent> orders;
        private double ratePerSecond = 50;
        private int threads = 2;
        private int openOrdersPerThread = 50;
        private String idPrefix = "order-";
        private long seed = 1;

        private Builder(AggregateRepository<Order, OrderCommand, OrderEvent> orders) {
            this.orders = Objects.requireNonNull(orders, "orders");
        }

        /** Commands (so events) per second over all threads; default 50. */
        public Builder ratePerSecond(double ratePerSecond) {
            if (!(ratePerSecond > 0)) {
                throw new IllegalArgumentException("ratePerSecond must be positive, was " + ratePerSecond);
            }
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Orders each thread keeps open at a time; default 50. */
        public Builder openOrdersPerThread(int openOrders) {
            if (openOrders < 1) {
                throw new IllegalArgumentException("openOrdersPerThread must be at least 1, was " + openOrders);
            }
            this.openOrdersPerThread = openOrders;
            return this;
        }

        /** Order ids are {@code <prefix><thread>-<n>}; default {@code order-}. */
        public Builder idPrefix(String idPrefix) {
            this.idPrefix = Objects.requireNonNull(idPrefix, "idPrefix");
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public OrderLoadGenerator build() {
            return new OrderLoadGenerator(this);
        }
    }
}
