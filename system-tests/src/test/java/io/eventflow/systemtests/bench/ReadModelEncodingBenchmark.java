package io.eventflow.systemtests.bench;

import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.examples.orders.projections.LineState;
import io.eventflow.examples.orders.projections.OrderProjection;
import io.eventflow.examples.orders.projections.OrderState;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.projection.summary.StreamSummaryState;
import io.eventflow.job.readmodel.ReadModelEncoder;

/**
 * Encoding one read model to BSON bytes, as the projection operator does for every changed aggregate at each flush
 * (JMH; run with {@code bin/benchmark encoding}). Two ways to the same bytes:
 * <ul>
 *   <li>{@code driverCodec}: the driver's {@link DocumentCodec}, the obvious way;</li>
 *   <li>{@code reusedBuffer}: {@link ReadModelEncoder}, what the job runs.</li>
 * </ul>
 * Each includes the projection's {@code toDocument}. Results: BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseParallelGC"})
public class ReadModelEncodingBenchmark {

    @Param({"order", "stream-summary"})
    public String projection;

    private final OrderProjection orders = new OrderProjection();
    private final StreamSummaryProjection summaries = new StreamSummaryProjection();
    private final ReadModelEncoder encoder = new ReadModelEncoder();
    private final DocumentCodec codec = new DocumentCodec();
    private OrderState order;
    private StreamSummaryState summary;

    @Setup
    public void createStates() {
        order = new OrderState();
        order.status = "SHIPPED";
        order.customerId = "customer-17";
        order.currency = "EUR";
        order.items = new LineState[] {new LineState("book-1", 2, new BigDecimal("12.50")),
            new LineState("pen-7", 1, new BigDecimal("1.20"))};
        order.totalAmount = new BigDecimal("26.20");
        order.createdAt = 1_772_359_200_000L;
        order.confirmedAt = 1_772_359_201_000L;
        order.shippedAt = 1_772_359_260_000L;
        order.carrier = "DHL";
        order.trackingNumber = "T1234567";
        summary = new StreamSummaryState();
        summary.aggregateType = "Order";
        summary.eventCount = 42;
        summary.firstEventType = "OrderCreated";
        summary.lastEventType = "OrderNoteAdded";
        summary.firstOccurredAt = 1_772_359_200_000L;
        summary.lastOccurredAt = 1_772_359_260_000L;
    }

    private java.util.Map<String, ?> fields() {
        return projection.equals("order") ? orders.toDocument(order) : summaries.toDocument(summary);
    }

    @Benchmark
    public byte[] driverCodec() {
        Document document = new Document("_id", "order-4711");
        document.putAll(fields());
        document.append(ReadModelFields.LAST_SEQUENCE_NO, 42L).append(ReadModelFields.LAST_EVENT_ID, "event-42")
            .append(ReadModelFields.UPDATED_AT, new java.util.Date(1_772_359_260_000L));
        RawBsonDocument raw = new RawBsonDocument(document, codec);
        return raw.getByteBuffer().array();
    }

    @Benchmark
    public byte[] reusedBuffer() {
        return encoder.encode("order-4711", fields(), 42L, "event-42", 1_772_359_260_000L);
    }
}
