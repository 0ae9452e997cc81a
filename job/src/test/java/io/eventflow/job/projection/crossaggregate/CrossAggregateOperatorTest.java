package io.eventflow.job.projection.crossaggregate;

import static io.eventflow.job.testing.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.FlushPolicy;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.readmodel.ReadModelDocuments;
import io.eventflow.job.testing.PerCategory;
import io.eventflow.job.testing.Tally;

/** Folding contributions into cross-aggregate documents, in Flink's keyed operator test harness. */
class CrossAggregateOperatorTest {

    private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Contribution, CrossAggregateUpdate> harness;

    private static KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Contribution, CrossAggregateUpdate> harness(
        long flushInterval) throws Exception {
        CrossAggregateOperator operator = new CrossAggregateOperator(
            ProjectionCatalog.of(new PerCategory.Provider()).select(List.of()), new ProjectionFailures.Settings(10_000, 2_000),
            FlushPolicy.every(flushInterval, 1000));
        KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Contribution, CrossAggregateUpdate> harness =
            new KeyedOneInputStreamOperatorTestHarness<>(operator,
                contribution -> Tuple2.of(contribution.projection, contribution.documentKey),
                Types.TUPLE(Types.STRING, Types.STRING));
        harness.setProcessingTime(1_000);
        return harness;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void eventsOfManyAggregatesFoldIntoOneDocumentWithItsCountAndSources() throws Exception {
        open(100);
        send(contribution("books", "a1", 1, "2.50", null), contribution("books", "a2", 1, "1.25", null),
            contribution("pens", "a1", 1, "2.50", null), contribution("books", "a1", 2, "1", null));
        assertThat(harness.extractOutputValues()).as("nothing before the flush").isEmpty();
        harness.setProcessingTime(1_100);

        CrossAggregateUpdate books = update("books");
        BsonDocument document = ReadModelDocuments.decode(books.document);
        assertThat(document.getString("_id").getValue()).isEqualTo("books");
        assertThat(document.getInt64("count").getValue()).isEqualTo(3);
        assertThat(document.getDecimal128("total").getValue().bigDecimalValue()).isEqualTo(new BigDecimal("4.75"));
        assertThat(document.getInt64("eventCount").getValue()).isEqualTo(3);
        assertThat(books.eventCount).isEqualTo(3);
        assertThat(sources(books)).containsExactlyInAnyOrder("a1@2", "a2@1");
        assertThat(sources(update("pens"))).containsExactly("a1@1");
    }

    static Stream<Arguments> userCodeFailures() {
        return Stream.of(
            Arguments.of("apply", "apply failed"),
            Arguments.of("apply-after-change", "failed half-way through"),
            Arguments.of("toDocument", "toDocument failed"),
            Arguments.of("encode", "which Decimal128 cannot hold exactly"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userCodeFailures")
    void whateverTheProjectionThrowsTheDocumentIsAsIfTheEventNeverCameButItsSourceIsProcessed(String fail, String reason)
        throws Exception {
        open(100);
        send(contribution("books", "a1", 1, "1", null), contribution("books", "a2", 1, "10", fail),
            contribution("books", "a3", 1, "100", null));
        harness.setProcessingTime(1_100);

        CrossAggregateUpdate books = update("books");
        BsonDocument document = ReadModelDocuments.decode(books.document);
        assertThat(document.getInt64("count").getValue()).isEqualTo(2);
        assertThat(document.getDecimal128("total").getValue().bigDecimalValue()).isEqualTo(new BigDecimal("101"));
        assertThat(books.eventCount).isEqualTo(2);
        assertThat(sources(books)).as("read-your-writes must not wait for a dead letter")
            .containsExactlyInAnyOrder("a1@1", "a2@1", "a3@1");
        assertThat(deadLetters()).extracting(letter -> letter.stage + " " + letter.aggregateId)
            .containsExactly("projection:per-category a2");
        assertThat(deadLetters().get(0).reason).contains(reason);
    }

    @Test
    void aPositionOnlyAdvancesTheSourcesAndLeavesTheDocumentAlone() throws Exception {
        open(100);
        send(contribution("books", "a1", 1, "1", null));
        harness.setProcessingTime(1_100);
        send(new Contribution(PerCategory.NAME, "books", EventEnvelope.placeholder("a1", 2, "e2", 0, false)),
            new Contribution(PerCategory.NAME, "pens", EventEnvelope.placeholder("a2", 7, "e7", 0, false)));
        harness.setProcessingTime(1_200);

        CrossAggregateUpdate books = update("books");
        assertThat(books.document).as("no document to write").isNull();
        assertThat(sources(books)).containsExactly("a1@2");
        assertThat(update("pens").document).isNull();
        // the next change of the document still counts from what is stored
        send(contribution("books", "a3", 1, "2", null));
        harness.setProcessingTime(1_300);
        assertThat(update("books").eventCount).isEqualTo(2);
        assertThat(ReadModelDocuments.decode(update("books").document).getInt64("count").getValue()).isEqualTo(2);
    }

    @Test
    void theStateAndCountSurviveARestoreAndOnlyGrow() throws Exception {
        open(100);
        send(contribution("books", "a1", 1, "1", null));
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_050);
        harness.close();

        harness = harness(100);
        harness.initializeState(snapshot);
        harness.open();
        send(contribution("books", "a2", 1, "2", null));
        harness.setProcessingTime(1_100);

        assertThat(update("books").eventCount).isEqualTo(2);
        assertThat(ReadModelDocuments.decode(update("books").document).getInt64("count").getValue()).isEqualTo(2);
    }

    private static Contribution contribution(String category, String aggregateId, long sequenceNo, String amount,
                                             String fail) {
        EventEnvelope event = event(aggregateId, sequenceNo, Tally.TALLIED, Tally.payload(amount, null, fail));
        return new Contribution(PerCategory.NAME, category, event);
    }

    private void open(long flushInterval) throws Exception {
        harness = harness(flushInterval);
        harness.open();
    }

    private void send(Contribution... contributions) throws Exception {
        for (Contribution contribution : contributions) {
            harness.processElement(new StreamRecord<>(contribution));
        }
    }

    private CrossAggregateUpdate update(String key) {
        List<CrossAggregateUpdate> updates = harness.extractOutputValues().stream()
            .filter(update -> update.documentKey.equals(key)).toList();
        assertThat(updates).as("updates of %s", key).isNotEmpty();
        return updates.get(updates.size() - 1);
    }

    private static List<String> sources(CrossAggregateUpdate update) {
        return java.util.stream.IntStream.range(0, update.sourceAggregates.length)
            .mapToObj(i -> update.sourceAggregates[i] + "@" + update.sourceSequenceNos[i]).toList();
    }

    private List<DeadLetter> deadLetters() {
        var output = harness.getSideOutput(CrossAggregateOperator.DEAD_LETTERS);
        return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
    }
}
