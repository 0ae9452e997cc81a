package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.junit.jupiter.api.Test;

import io.eventflow.job.ProjectionJob;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;

/**
 * Events delivered reversed, shuffled and three times over, through a test source in the stream and the snapshot
 * phase, and through a real snapshot of a store whose streams were written back to front: the read models and Kafka
 * come out exactly as from a perfectly ordered delivery.
 */
class OrderingStressITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ProjectionRegistry REGISTRY = Registries.ORDERS;
    private static final JsonWriterSettings EXTENDED_JSON = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();


    @Test
    void reversedShuffledAndTriplicatedStreamDeliveryGivesTheSameResult() throws Exception {
        runThroughTestSource("stress-stream", false);
    }

    @Test
    void reversedShuffledAndTriplicatedSnapshotDeliveryGivesTheSameResult() throws Exception {
        runThroughTestSource("stress-snapshot", true);
    }

    private void runThroughTestSource(String name, boolean snapshot) throws Exception {
        try (JobStack stack = stack(name)) {
            OrderTraffic.append(stack.store, OrderTraffic.plan(name, 150, 8, 31), 4, 2);
            List<String> documents = new ArrayList<>();
            for (BsonDocument event : stack.events().find().into(new ArrayList<>())) {
                documents.add(event.toJson(EXTENDED_JSON));
            }
            // every aggregate back to front, the aggregates interleaved at random, and everything three times
            documents.sort(Comparator.comparing((String json) -> BsonDocument.parse(json).getInt64("sequenceNo").getValue())
                .reversed());
            List<String> delivered = new ArrayList<>();
            Random random = new Random(7);
            for (int copy = 0; copy < 3; copy++) {
                List<String> round = new ArrayList<>(documents);
                Collections.shuffle(round.subList(0, round.size() / 2), random);
                delivered.addAll(round);
            }

            JobConfig config = stack.config(Map.of());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ProjectionJob job = new ProjectionJob(config, REGISTRY);
            job.configure(env);
            DataStream<ChangeRecord> changes = env.addSource(new ReplaySource(delivered, snapshot), "replay",
                TypeInformation.of(ChangeRecord.class)).setParallelism(1);
            job.build(changes);
            JobClient client = env.executeAsync(stack.name);
            long started = System.nanoTime();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, REGISTRY, WAIT);
            Duration settled = Duration.ofNanos(System.nanoTime() - started);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, documents.size(), WAIT);
            long duplicates = CapturedMetrics.sum(client.getJobID(), "duplicatesDropped");
            long filled = CapturedMetrics.sum(client.getJobID(), "eventsFilledFromStore");
            // every copy beyond the first is dropped, whether the first came from the stream or from a gap fill
            assertThat(duplicates).isEqualTo(2L * documents.size() + filled);
            if (snapshot) {
                assertThat(filled).as("no gap fills in the snapshot phase").isZero();
            }
            ReliabilityReport.record("7. ordering stress (" + (snapshot ? "snapshot" : "stream") + ")", tally.events(),
                "every stream reversed, shuffled, delivered 3 times (" + duplicates + " duplicates dropped, " + filled
                    + " gap fills)", tally.lost(), tally.duplicated(), settled);
            JobStack.cancel(client);
        }
    }

    @Test
    void aSnapshotOfStreamsWrittenBackToFrontGivesTheSameResult() throws Exception {
        try (JobStack stack = stack("stress-rebuild")) {
            // write the events of a planned traffic straight to the store, last sequence numbers first
            try (JobStack planner = stack("stress-plan")) {
                OrderTraffic.append(planner.store, OrderTraffic.plan("rebuild", 200, 8, 32), 4, 2);
                List<BsonDocument> events = planner.events().find().into(new ArrayList<>());
                events.sort(Comparator.comparing((BsonDocument event) -> event.getInt64("sequenceNo").getValue()).reversed());
                Collections.shuffle(events.subList(0, events.size() / 3), new Random(9));
                events.forEach(event -> stack.events().insertOne(event));
            }
            JobClient job = stack.start(stack.config(Map.of("source.parallelism", "2",
                "source.snapshot.chunk-size-mb", "1")), REGISTRY);
            long started = System.nanoTime();
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, REGISTRY, WAIT);
            Duration settled = Duration.ofNanos(System.nanoTime() - started);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 1600, WAIT);
            assertThat(CapturedMetrics.sum(job.getJobID(), "snapshotEventsReceived")).isEqualTo(1600);
            ReliabilityReport.record("7. ordering stress (real snapshot)", tally.events(), "streams written back to front, "
                + "read in parallel snapshot chunks", tally.lost(), tally.duplicated(), settled);
            JobStack.cancel(job);
        }
    }
}
