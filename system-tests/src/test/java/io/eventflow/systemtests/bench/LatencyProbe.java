package io.eventflow.systemtests.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.BsonDocument;
import org.bson.Document;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Commit → read-model latency as a service sees it: writers append Order traffic at a steady rate, each event's commit
 * time taken when {@code append()} returns; a watcher on the stream-summary read model's change stream takes the
 * time of the write that reflects the event ({@code wallTime}, the server's clock, as the commit's is the client's on
 * the same host). Every event counts, whichever the read-model write that covers it (a flush writes an aggregate's
 * newest version only).
 */
final class LatencyProbe implements AutoCloseable {

    private static final int APPENDERS = 4;

    /** One event's commit time and how long after it the read model showed it. */
    record Point(long committedAtMillis, long latencyMillis) {
    }

    private final MongoClient client;
    private final EventStore store;
    private final String readModelDatabase;
    /** Per aggregate, its timed events not seen yet: {sequenceNo, committedAtMillis}. */
    private final Map<String, List<long[]>> committed = new ConcurrentHashMap<>();
    private final List<Point> points = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean watching = new AtomicBoolean(true);
    private final Thread watcher;

    LatencyProbe(MongoClient client, String eventDatabase, String readModelDatabase) {
        this.client = client;
        this.store = EventStore.builder().mongoClient(client).database(eventDatabase).build();
        this.readModelDatabase = readModelDatabase;
        this.watcher = new Thread(this::watch, "latency-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Appends at {@code rate} events per second for {@code duration} over {@code aggregates} aggregates of its own;
     * events committed from {@code measureFromMillis} on are timed. Returns how many were timed.
     */
    long appendAtRate(String name, int rate, Duration duration, int aggregates, long measureFromMillis)
        throws InterruptedException {
        List<OrderTraffic.Stream> streams = OrderTraffic.plan(name, aggregates,
            (int) (rate * duration.toSeconds() * 2 / aggregates) + 10, 7); // twice what the rate needs: never runs out
        long end = System.nanoTime() + duration.toNanos();
        long intervalNanos = 1_000_000_000L * APPENDERS / rate;
        AtomicLong timed = new AtomicLong();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < APPENDERS; t++) {
            int first = t;
            Thread appender = new Thread(() -> {
                int[] written = new int[streams.size()];
                long next = System.nanoTime();
                try {
                    for (int i = first; System.nanoTime() < end; i += APPENDERS) {
                        int s = i % streams.size();
                        OrderTraffic.Stream stream = streams.get(s);
                        NewEvent event = stream.events().get(written[s]);
                        store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(written[s]), event);
                        written[s]++;
                        long now = System.currentTimeMillis();
                        if (now >= measureFromMillis) {
                            committed.computeIfAbsent(stream.aggregateId(), id -> java.util.Collections
                                .synchronizedList(new ArrayList<>())).add(new long[] {written[s], now});
                            timed.incrementAndGet();
                        }
                        next += intervalNanos;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "appender-" + t);
            appender.start();
            appenders.add(appender);
        }
        for (Thread appender : appenders) {
            appender.join();
        }
        return timed.get();
    }

    /** Waits until every timed event was seen in the read model, or {@code patience} passes. */
    void awaitAllSeen(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline && committed.values().stream().anyMatch(list -> !list.isEmpty())) {
            Thread.sleep(100);
        }
    }

    /** The timed events seen so far, in commit order. */
    List<Point> points() {
        synchronized (points) {
            List<Point> copy = new ArrayList<>(points);
            copy.sort(java.util.Comparator.comparingLong(Point::committedAtMillis));
            return copy;
        }
    }

    /** Timed events not seen (yet). */
    long unseen() {
        return committed.values().stream().mapToLong(List::size).sum();
    }

    private void watch() {
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = client.getDatabase(readModelDatabase)
                .getCollection("stream_summaries").watch().maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor()) {
            while (watching.get()) {
                ChangeStreamDocument<Document> change = stream.tryNext();
                if (change == null || change.getWallTime() == null || change.getDocumentKey() == null) {
                    continue;
                }
                long position = sequenceNo(change);
                List<long[]> waiting = committed.get(change.getDocumentKey().getString("_id").getValue());
                if (position <= 0 || waiting == null) {
                    continue;
                }
                long wall = change.getWallTime().getValue();
                synchronized (waiting) {
                    waiting.removeIf(event -> {
                        if (event[0] <= position) {
                            points.add(new Point(event[1], wall - event[1]));
                            return true;
                        }
                        return false;
                    });
                }
            }
        }
    }

    private static long sequenceNo(ChangeStreamDocument<Document> change) {
        if (change.getFullDocument() != null) {
            Object value = change.getFullDocument().get("lastSequenceNo");
            return value instanceof Number number ? number.longValue() : 0;
        }
        BsonDocument fields = change.getUpdateDescription() == null ? null
            : change.getUpdateDescription().getUpdatedFields();
        return fields != null && fields.isNumber("lastSequenceNo") ? fields.getNumber("lastSequenceNo").longValue() : 0;
    }

    @Override
    public void close() throws InterruptedException {
        watching.set(false);
        watcher.join(5_000);
    }

    /** The value at this percentile (nearest rank) of the latencies, or -1 without any. */
    static long percentile(List<Point> points, int percentile) {
        List<Long> sorted = points.stream().map(Point::latencyMillis).sorted().toList();
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index));
    }

    /** Per second of commit time: events, p50 and worst latency; shows whether the tail is steady or bursty. */
    static List<String> timeline(List<Point> points) {
        TreeMap<Long, List<Point>> perSecond = new TreeMap<>();
        for (Point point : points) {
            perSecond.computeIfAbsent(point.committedAtMillis() / 1000, second -> new ArrayList<>()).add(point);
        }
        List<String> lines = new ArrayList<>(List.of("second events p50_ms max_ms"));
        long first = perSecond.isEmpty() ? 0 : perSecond.firstKey();
        perSecond.forEach((second, values) -> lines.add((second - first) + " " + values.size() + " "
            + percentile(values, 50) + " " + percentile(values, 100)));
        return lines;
    }
}
