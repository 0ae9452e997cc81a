package io.eventflow.job.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;

class ProjectionOperatorTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String CREATED = "{\"customerId\": \"c1\", \"currency\": \"EUR\", \"items\": [{\"sku\": \"a\", "
        + "\"quantity\": 1, \"unitPrice\": 5}]}";

    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ReadModelUpdate> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new ProjectionOperator(ProjectionRegistry.builtIn(List.of("order", "stream-summary")), 1000, 0, 1000), event -> event.aggregateId, Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void everyProjectionEmitsItsDocumentWithTheVersionFields() throws Exception {
        send(OrderProjectionTest.envelope("o1", 1, "OrderCreated", 2, CREATED, AT));

        List<ReadModelUpdate> updates = harness.extractOutputValues();
        assertThat(updates).extracting(update -> update.projection + "@" + update.lastSequenceNo)
            .containsExactly("order@1", "stream-summary@1");
        BsonDocument order = ReadModelDocuments.decode(updates.get(0).document);
        assertThat(order.getString("_id").getValue()).isEqualTo("o1");
        assertThat(order.getInt64("lastSequenceNo").getValue()).isEqualTo(1);
        assertThat(order.getString("lastEventId").getValue()).isEqualTo("o1-1");
        assertThat(order.getDateTime("updatedAt").getValue()).isEqualTo(AT.toEpochMilli());
        assertThat(order.getString("status").getValue()).isEqualTo("CREATED");
    }

    @Test
    void anUnhandledEventAdvancesAnExistingReadModelButCreatesNone() throws Exception {
        send(OrderProjectionTest.envelope("c1", 1, "CustomerRegistered", 1, "{}", AT),
            OrderProjectionTest.envelope("o1", 1, "OrderCreated", 2, CREATED, AT),
            OrderProjectionTest.envelope("o1", 2, "OrderNoteAdded", 1, "{}", AT.plusSeconds(1)));

        assertThat(harness.extractOutputValues()).extracting(update -> update.projection + ":" + update.aggregateId + "@" + update.lastSequenceNo)
            .containsExactly("stream-summary:c1@1", "order:o1@1", "stream-summary:o1@1", "order:o1@2", "stream-summary:o1@2");
    }

    @Test
    void anEventAProjectionCannotReadIsDeadLetteredForItAndLeavesItsStateAlone() throws Exception {
        send(OrderProjectionTest.envelope("o1", 1, "OrderCreated", 2, CREATED, AT),
            OrderProjectionTest.envelope("o1", 2, "OrderShipped", 9, "{\"carrier\": \"DHL\"}", AT.plusSeconds(1)),
            OrderProjectionTest.envelope("o1", 3, "OrderConfirmed", 1, "{}", AT.plusSeconds(2)));

        List<ReadModelUpdate> updates = harness.extractOutputValues();
        assertThat(updates).extracting(update -> update.projection + "@" + update.lastSequenceNo)
            .containsExactly("order@1", "stream-summary@1", "stream-summary@2", "order@3", "stream-summary@3");
        assertThat(ReadModelDocuments.decode(updates.get(3).document).getString("status").getValue()).isEqualTo("CONFIRMED");
        List<DeadLetter> deadLetters = harness.getSideOutput(ProjectionOperator.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
        assertThat(deadLetters).extracting(letter -> letter.stage + " " + letter.aggregateId + "#" + letter.sequenceNo)
            .containsExactly("projection:order o1#2");
        assertThat(deadLetters.get(0).reason).contains("schemaVersion 9 of OrderShipped is newer than this job knows");
        assertThat(deadLetters.get(0).rawDocument).contains("\"carrier\": \"DHL\"");
    }

    @Test
    void changesAreCoalescedIntoOneWriteOfTheNewestVersionPerFlushInterval() throws Exception {
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new ProjectionOperator(ProjectionRegistry.builtIn(List.of("order", "stream-summary")), 1000, 100, 1000), event -> event.aggregateId, Types.STRING);
        harness.open();
        harness.setProcessingTime(1_000);

        send(OrderProjectionTest.envelope("o1", 1, "OrderCreated", 2, CREATED, AT),
            OrderProjectionTest.envelope("o1", 2, "OrderConfirmed", 1, "{}", AT),
            OrderProjectionTest.envelope("o1", 3, "OrderNoteAdded", 1, "{}", AT));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(1_100);
        List<ReadModelUpdate> updates = harness.extractOutputValues();
        assertThat(updates).extracting(update -> update.projection + "@" + update.lastSequenceNo)
            .containsExactly("order@3", "stream-summary@3");
        assertThat(ReadModelDocuments.decode(updates.get(0).document).getString("status").getValue()).isEqualTo("CONFIRMED");

        harness.setProcessingTime(1_300);
        assertThat(harness.extractOutputValues()).as("nothing changed since the flush").hasSize(2);
        send(OrderProjectionTest.envelope("o1", 4, "OrderShipped", 1, "{\"carrier\": \"UPS\"}", AT));
        harness.setProcessingTime(1_400);
        assertThat(harness.extractOutputValues()).extracting(update -> update.projection + "@" + update.lastSequenceNo)
            .containsExactly("order@3", "stream-summary@3", "order@4", "stream-summary@4");
    }

    @Test
    void placeholdersAreNotProjected() throws Exception {
        send(EventEnvelope.placeholder("o1", 1, "bad", 0, false));
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    private void send(EventEnvelope... events) throws Exception {
        for (EventEnvelope event : events) {
            harness.processElement(new StreamRecord<>(event));
        }
    }
}
