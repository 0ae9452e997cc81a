package io.eventflow.systemtests.testing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
        try (Steady writers = new Steady(store, streams, threads, eventsPerAppend, Integer.MAX_VALUE, 0)) {
            writers.awaitWritten(Duration.ofMinutes(5));
        }
    }

    /**
     * Appends the streams in the background, one event per append, at {@code eventsPerSecond} over {@code threads}
     * threads, until {@link Steady#close()} or until every stream is written: load that goes on while faults come
     * and go. Each thread keeps 20 of its streams open at a time, so an aggregate's events follow each other within
     * seconds, interleaved with other aggregates'.
     */
    public static Steady steady(EventStore store, List<Stream> streams, int threads, double eventsPerSecond) {
        return new Steady(store, streams, threads, 1, 20, eventsPerSecond);
    }

    /** Writer threads appending planned streams; {@link #close()} stops them and reports what failed. */
    public static final class Steady implements AutoCloseable {

        private final ExecutorService pool;
        private final List<Future<?>> writers = new ArrayList<>();
        private final AtomicLong appended = new AtomicLong();
        private volatile boolean stopped;

        private Steady(EventStore store, List<Stream> streams, int threads, int eventsPerAppend, int openStreams,
                       double eventsPerSecond) {
            List<Stream> shuffled = new ArrayList<>(streams);
            Collections.shuffle(shuffled, new Random(42));
            pool = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++) {
                List<Stream> mine = new ArrayList<>();
                for (int i = t; i < shuffled.size(); i += threads) {
                    mine.add(shuffled.get(i));
                }
                double perThread = eventsPerSecond / threads;
                writers.add(pool.submit(() -> write(store, mine, eventsPerAppend, openStreams, perThread)));
            }
        }

        /** Events appended so far; throws what a writer failed with, once one has. */
        public long appended() {
            for (Future<?> writer : writers) {
                if (writer.isDone() && !writer.isCancelled()) {
                    try {
                        writer.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a traffic writer failed after " + appended.get() + " events",
                            e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
            return appended.get();
        }

        /** Round robin over the first {@code openStreams} unfinished streams, each one's events in order. */
        private Void write(EventStore store, List<Stream> mine, int eventsPerAppend, int openStreams,
                           double eventsPerSecond) throws InterruptedException {
            int[] written = new int[mine.size()];
            int next = Math.min(openStreams, mine.size());
            List<Integer> open = new ArrayList<>();
            for (int s = 0; s < next; s++) {
                open.add(s);
            }
            long start = System.nanoTime();
            long mineAppended = 0;
            while (!open.isEmpty() && !stopped) {
                for (int i = 0; i < open.size() && !stopped; i++) {
                    int s = open.get(i);
                    Stream stream = mine.get(s);
                    int end = Math.min(stream.events().size(), written[s] + eventsPerAppend);
                    store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(written[s]),
                        stream.events().subList(written[s], end));
                    mineAppended += end - written[s];
                    appended.addAndGet(end - written[s]);
                    written[s] = end;
                    if (written[s] == stream.events().size()) {
                        if (next < mine.size()) {
                            open.set(i, next++);
                        } else {
                            open.remove(i--);
                        }
                    }
                    if (eventsPerSecond > 0) {
                        long due = start + (long) (mineAppended * 1e9 / eventsPerSecond);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                }
            }
            return null;
        }

        /** Waits until every stream is written; fails with the writers' error. */
        public void awaitWritten(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<?> writer : writers) {
                writer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }

        /** Stops after the appends in flight; a writer's failure is thrown here. */
        @Override
        public void close() throws Exception {
            stopped = true;
            try {
                awaitWritten(Duration.ofMinutes(1));
            } finally {
                pool.shutdownNow();
            }
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
