package io.eventflow.systemtests.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.ordering.GapFiller;
import io.eventflow.job.ordering.GapPolicy;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.ordering.OrderingSettings;
import io.eventflow.job.projection.FlushPolicy;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.crossaggregate.ContributionRouter;
import io.eventflow.job.projection.crossaggregate.CrossAggregateOperator;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.systemtests.testing.Registries;

/**
 * Bytes of keyed state per aggregate, as the job keeps it: the ordering, per-aggregate projection and cross-aggregate
 * routing operators (keyed by aggregateId), and the cross-aggregate fold (keyed by document), each in Flink's operator
 * test harness with the heap (HashMap) and the RocksDB backend. Every aggregate is an Order with a UUID id and four
 * events (created with two lines, confirmed, a note, shipped), run through the Order example's projections and the
 * built-in stream summary; its customer is one of {@code aggregates / 10}, its SKUs two of 500.
 *
 * <p>Measured: the size of a full snapshot (what a savepoint or a non-incremental checkpoint writes), of an
 * incremental RocksDB checkpoint (the SST files, compressed), and for the heap backend the JVM heap the state
 * occupies (used heap after a full GC, with and without the state). Run with
 * {@code bin/benchmark state [--aggregates 100000]}; method and figures: README.md, "Capacity planning".
 */
public final class StateSizeBenchmark {

    private static final long T0 = 1_000_000;
    /** As in the job: changes are bundled in memory and written once per key per flush (here: per snapshot). */
    private static final long FLUSH_INTERVAL = 100;
    private static final ProjectionFailures.Settings FAILURES = new ProjectionFailures.Settings(10_000, 2_000);

    private final int aggregates;

    private StateSizeBenchmark(int aggregates) {
        this.aggregates = aggregates;
    }

    public static void main(String[] args) throws Exception {
        int count = 100_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--aggregates")) {
                count = Integer.parseInt(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; usage: [--aggregates N]");
            }
        }
        int aggregates = count;
        StateSizeBenchmark benchmark = new StateSizeBenchmark(aggregates);
        System.out.printf("%,d Order aggregates, 4 events each, UUID ids%n%n", aggregates);
        System.out.println("| operator (keyed by) | heap: full snapshot | heap: JVM heap | RocksDB: full snapshot "
            + "| RocksDB: incremental checkpoint |");
        System.out.println("|---|---|---|---|---|");
        Map<String, long[]> rows = new LinkedHashMap<>();
        benchmark.measure("heap", new HashMapStateBackend(), rows, 0);
        benchmark.measure("rocksdb-full", new EmbeddedRocksDBStateBackend(false), rows, 2);
        benchmark.measure("rocksdb-incremental", new EmbeddedRocksDBStateBackend(true), rows, 3);
        long[] total = new long[4];
        rows.forEach((operator, sizes) -> {
            print(operator, sizes, operator.contains("document") ? benchmark.documents() : aggregates);
            if (!operator.contains("document")) {
                for (int i = 0; i < 4; i++) {
                    total[i] += sizes[i];
                }
            }
        });
        print("per aggregate, all keyed by aggregateId", total, aggregates);
    }

    private static void print(String operator, long[] sizes, long keys) {
        System.out.printf("| %s | %s | %s | %s | %s |%n", operator, perKey(sizes[0], keys), perKey(sizes[1], keys),
            perKey(sizes[2], keys), perKey(sizes[3], keys));
    }

    private static String perKey(long bytes, long keys) {
        return bytes <= 0 ? "n/a" : String.format("%,d B", Math.round((double) bytes / keys));
    }

    /** Cross-aggregate documents: customers and SKUs. */
    private long documents() {
        return aggregates / 10 + 500L;
    }

    /** Runs every operator over the aggregates with the backend; puts each snapshot's size in column {@code column}. */
    private void measure(String name, StateBackend backend, Map<String, long[]> rows, int column) throws Exception {
        ProjectionRegistry registry = Registries.ORDERS;
        boolean heap = backend instanceof HashMapStateBackend;

        put(rows, "ordering (aggregateId)", column, heap, size(harness(new KeyedProcessOperator<>(new OrderingFunction(
            new OrderingSettings(Duration.ofSeconds(10), Duration.ofMinutes(5), GapPolicy.WAIT, 10_000, 1000),
            new NoStore())), backend)));
        put(rows, "per-aggregate projections: order, stream-summary (aggregateId)", column, heap,
            size(harness(new ProjectionOperator(registry, FAILURES, FlushPolicy.every(FLUSH_INTERVAL, 20_000)), backend)));
        put(rows, "cross-aggregate routing (aggregateId)", column, heap,
            size(harness(new KeyedProcessOperator<>(new ContributionRouter(registry, FAILURES)), backend)));

        // the fold's input: what the routing operator sends it, collected in a pass of its own (not measured)
        List<Contribution> contributions = new ArrayList<>();
        var routing = harness(new KeyedProcessOperator<>(new ContributionRouter(registry, FAILURES)), backend);
        routing.open();
        feed(routing, contributions);
        routing.close();
        KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Contribution, ?> fold =
            new KeyedOneInputStreamOperatorTestHarness<>(new CrossAggregateOperator(registry, FAILURES, FlushPolicy.every(FLUSH_INTERVAL, 20_000)),
                contribution -> Tuple2.of(contribution.projection, contribution.documentKey),
                Types.TUPLE(Types.STRING, Types.STRING));
        fold.setStateBackend(backend);
        fold.setCheckpointStorage(checkpointStorage());
        fold.open();
        fold.setProcessingTime(T0);
        long before = usedHeapAfterGc();
        for (int i = 0; i < contributions.size(); i++) {
            fold.processElement(contributions.get(i), 0);
            contributions.set(i, null);
            if (i % 1000 == 999) {
                fold.getOutput().clear();
            }
        }
        fold.prepareSnapshotPreBarrier(2);
        fold.getOutput().clear();
        long heapBytes = usedHeapAfterGc() - before;
        long snapshot = fold.snapshot(2, T0).getStateSize();
        fold.close();
        put(rows, "cross-aggregate documents: orders per customer, units per SKU (per document)", column, heap,
            new long[] {snapshot, heapBytes});
        System.err.println(name + " done");
    }

    private static void put(Map<String, long[]> rows, String operator, int column, boolean heap, long[] measured) {
        long[] sizes = rows.computeIfAbsent(operator, key -> new long[4]);
        sizes[column] = measured[0];
        if (heap) {
            sizes[1] = measured[1];
        }
    }

    /** Feeds every aggregate's events, then snapshots: {snapshot bytes, heap bytes the state took}. */
    private long[] size(KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ?> harness) throws Exception {
        harness.open();
        long before = usedHeapAfterGc();
        feed(harness, null);
        harness.prepareSnapshotPreBarrier(1);
        harness.getOutput().clear();
        long heapBytes = usedHeapAfterGc() - before;
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();
        return new long[] {snapshot.getStateSize(), heapBytes};
    }

    @SuppressWarnings("unchecked")
    private void feed(KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ?> harness,
                      List<Contribution> contributions) throws Exception {
        harness.setProcessingTime(T0);
        Random random = new Random(1);
        for (int i = 0; i < aggregates; i++) {
            String aggregateId = new UUID(random.nextLong(), random.nextLong()).toString();
            for (EventEnvelope event : order(aggregateId, random)) {
                harness.processElement(event, 0);
            }
            if (i % 1000 == 999) {
                drain(harness, contributions);
            }
        }
        harness.prepareSnapshotPreBarrier(0);
        drain(harness, contributions);
    }

    @SuppressWarnings("unchecked")
    private static void drain(KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ?> harness,
                              List<Contribution> contributions) {
        if (contributions != null) {
            for (Object record : harness.extractOutputValues()) {
                contributions.add((Contribution) record);
            }
        }
        harness.getOutput().clear();
    }

    private List<EventEnvelope> order(String aggregateId, Random random) {
        String customer = "customer-" + random.nextInt(Math.max(1, aggregates / 10));
        String created = "{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"sku-"
            + random.nextInt(500) + "\",\"quantity\":2,\"unitPrice\":12.50},{\"sku\":\"sku-" + random.nextInt(500)
            + "\",\"quantity\":1,\"unitPrice\":99.90}]}";
        return List.of(event(aggregateId, 1, "OrderCreated", 2, created),
            event(aggregateId, 2, "OrderConfirmed", 1, "{}"),
            event(aggregateId, 3, "OrderNoteAdded", 1, "{\"note\":\"leave at the door\"}"),
            event(aggregateId, 4, "OrderShipped", 1, "{\"carrier\":\"DHL\",\"trackingNumber\":\"JD014600003828\"}"));
    }

    private static EventEnvelope event(String aggregateId, long sequenceNo, String type, int version, String payload) {
        EventEnvelope event = new EventEnvelope();
        event.eventId = UUID.randomUUID().toString();
        event.aggregateId = aggregateId;
        event.aggregateType = "Order";
        event.sequenceNo = sequenceNo;
        event.eventType = type;
        event.schemaVersion = version;
        event.occurredAtMillis = 1_770_000_000_000L + sequenceNo * 60_000;
        event.payloadJson = payload;
        event.metadataJson = "{}";
        event.commitId = UUID.randomUUID().toString();
        event.clusterTime = (1_770_000_000L << 32) | sequenceNo;
        return event;
    }

    private static <O> KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, O> harness(
        OneInputStreamOperator<EventEnvelope, O> operator, StateBackend backend) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, O> harness =
            new KeyedOneInputStreamOperatorTestHarness<>(operator, event -> event.aggregateId, Types.STRING);
        harness.setStateBackend(backend);
        harness.setCheckpointStorage(checkpointStorage());
        return harness;
    }

    /** Snapshots go to files (the harness's default keeps them in memory, up to 5 MB). */
    private static FileSystemCheckpointStorage checkpointStorage() throws java.io.IOException {
        return new FileSystemCheckpointStorage(java.nio.file.Files.createTempDirectory("state-size").toUri());
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** In-order events never open a gap: the store is never read. */
    private static final class NoStore implements GapFiller {
        private static final long serialVersionUID = 1L;

        @Override
        public List<EventDocumentReader.Result> read(String aggregateId, long from, long to, int limit) {
            return List.of();
        }
    }
}
