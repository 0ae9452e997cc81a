package io.eventflow.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.IntegrityViolation;

class ChangeRecordRouterTest {

    private static final String VALID = "{\"_id\": \"e1\", \"aggregateId\": \"o1\", \"aggregateType\": \"Order\", "
        + "\"sequenceNo\": {\"$numberLong\": \"3\"}, \"eventType\": \"OrderConfirmed\", \"schemaVersion\": 1, "
        + "\"occurredAt\": {\"$date\": 1772359200000}, \"payload\": {\"by\": \"clerk\"}, "
        + "\"metadata\": {\"correlationId\": \"c\"}, \"commitId\": \"k1\"}";

    private ChangeRecordRouter router;
    private OneInputStreamOperatorTestHarness<ChangeRecord, EventEnvelope> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness();
        harness.open();
    }

    private OneInputStreamOperatorTestHarness<ChangeRecord, EventEnvelope> harness() throws Exception {
        router = new ChangeRecordRouter(new EventDocumentReader(1000), 50);
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(router));
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void aValidInsertBecomesAnEnvelopeWithEveryContractField() throws Exception {
        harness.processElement(new StreamRecord<>(insert(VALID, false)));

        EventEnvelope event = harness.extractOutputValues().get(0);
        assertThat(event.eventId).isEqualTo("e1");
        assertThat(event.aggregateId).isEqualTo("o1");
        assertThat(event.aggregateType).isEqualTo("Order");
        assertThat(event.sequenceNo).isEqualTo(3);
        assertThat(event.eventType).isEqualTo("OrderConfirmed");
        assertThat(event.schemaVersion).isEqualTo(1);
        assertThat(event.occurredAtMillis).isEqualTo(1772359200000L);
        assertThat(event.payloadJson).isEqualTo("{\"by\":\"clerk\"}");
        assertThat(event.metadataJson).isEqualTo("{\"correlationId\":\"c\"}");
        assertThat(event.commitId).isEqualTo("k1");
        assertThat(event.clusterTime).isEqualTo(42L << 32 | 1);
        assertThat(event.snapshot).isFalse();
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void updatesReplacesAndDeletesAreIntegrityViolationsNeverEvents() throws Exception {
        for (String operation : List.of("update", "replace", "delete")) {
            ChangeRecord change = insert(VALID, false);
            change.operationType = operation;
            harness.processElement(new StreamRecord<>(change));
        }

        assertThat(harness.extractOutputValues()).isEmpty();
        List<IntegrityViolation> violations = harness.getSideOutput(ChangeRecordRouter.INTEGRITY_VIOLATIONS).stream()
            .map(StreamRecord::getValue).toList();
        assertThat(violations).extracting(violation -> violation.operationType + " " + violation.namespace)
            .containsExactly("update es.events", "replace es.events", "delete es.events");
        assertThat(violations.get(0).documentJson).hasSize(50);
        assertThat(violations.get(0).documentTruncated).isTrue();
    }

    @Test
    void theUpdateDescriptionOfAnIntegrityViolationIsCutLikeItsDocument() throws Exception {
        ChangeRecord change = insert(VALID, false);
        change.operationType = "update";
        change.updateDescriptionJson = "{\"updatedFields\": {\"payload.note\": \"" + "x".repeat(2_000_000) + "\"}}";
        harness.processElement(new StreamRecord<>(change));

        IntegrityViolation violation = harness.getSideOutput(ChangeRecordRouter.INTEGRITY_VIOLATIONS).poll().getValue();
        assertThat(violation.updateDescriptionJson).hasSize(50).startsWith("{\"updatedFields\"");
        assertThat(violation.updateDescriptionTruncated).isTrue();
    }

    @Test
    void anEventWhoseRecordWouldExceedTheBudgetInBytesIsDeadLetteredEvenIfItHasFewerCharacters() throws Exception {
        // 400 three-byte characters: 400 characters, 1,200 bytes
        harness.processElement(new StreamRecord<>(insert(VALID.replace("\"by\": \"clerk\"",
            "\"by\": \"" + "\u4e2d".repeat(400) + "\""), false)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(event -> assertThat(event.isPlaceholder()).isTrue());
        assertThat(deadLetters()).singleElement().satisfies(letter -> assertThat(letter.reason)
            .matches("the event is up to \\d+ bytes as a Kafka record, more than kafka.max-record-bytes \\(1000\\): it "
                + "cannot be published"));
    }

    @Test
    void aMalformedEventIsDeadLetteredWithItsReasonAndKeepsItsPlaceInTheStream() throws Exception {
        harness.processElement(new StreamRecord<>(insert(VALID.replace("\"eventType\": \"OrderConfirmed\", ", ""), false)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(placeholder -> {
            assertThat(placeholder.isPlaceholder()).isTrue();
            assertThat(placeholder.aggregateId + "#" + placeholder.sequenceNo).isEqualTo("o1#3");
        });
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.stage).isEqualTo("source");
            assertThat(letter.reason).isEqualTo("field 'eventType' is missing; it must be a non-blank string");
            assertThat(letter.aggregateId).isEqualTo("o1");
            assertThat(letter.rawDocument).hasSize(50);
            assertThat(letter.rawDocumentTruncated).isTrue();
        });
    }

    @Test
    void withoutAUsablePositionOnlyTheDeadLetterIsEmitted() throws Exception {
        harness.processElement(new StreamRecord<>(insert(VALID.replace("{\"$numberLong\": \"3\"}", "0"), false)));
        harness.processElement(new StreamRecord<>(insert("{not json", false)));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).extracting(letter -> letter.reason).containsExactly(
            "field 'sequenceNo' is int32 0; it must be an integer of 1 or more",
            deadLetters().get(1).reason);
        assertThat(deadLetters().get(1).reason).startsWith("the document cannot be parsed");
    }

    @Test
    void documentsWithoutAPositionAreCountedInARunningTotalThatSurvivesARestore() throws Exception {
        harness.processElement(new StreamRecord<>(insert(VALID.replace("\"aggregateId\": \"o1\", ", ""), false)));
        harness.processElement(new StreamRecord<>(insert("{not json", false)));
        harness.processElement(new StreamRecord<>(insert(VALID.replace("\"eventType\": \"OrderConfirmed\", ", ""), false)));
        assertThat(router.documentsWithoutPositionTotal()).as("the third has a position: its placeholder is ordered")
            .isEqualTo(2);
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(insert(VALID.replace("{\"$numberLong\": \"3\"}", "\"three\""), false)));

        assertThat(router.documentsWithoutPositionTotal()).isEqualTo(3);
    }

    private List<DeadLetter> deadLetters() {
        var output = harness.getSideOutput(ChangeRecordRouter.DEAD_LETTERS);
        return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
    }

    static ChangeRecord insert(String json, boolean snapshot) {
        ChangeRecord change = new ChangeRecord();
        change.operationType = "insert";
        change.database = "es";
        change.collection = "events";
        change.documentKeyJson = "{\"_id\": \"e1\"}";
        change.fullDocumentJson = json;
        change.clusterTime = 42L << 32 | 1;
        change.snapshot = snapshot;
        return change;
    }
}
