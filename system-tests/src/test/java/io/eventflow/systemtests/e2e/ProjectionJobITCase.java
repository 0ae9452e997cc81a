package io.eventflow.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.eventflow.devstack.testing.Await;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.writer.EventStore;
/**
 * The projection job end to end on the embedded stack: the real CDC source, a MiniCluster, the MongoDB emulator and
 * a Kafka broker. Read models must equal a replay oracle computed from the event store, and Kafka, read with
 * read_committed, must hold each event exactly once, in sequence order per aggregate.
 */
class ProjectionJobITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ProjectionRegistry REGISTRY = Registries.ORDERS;


    @Test
    void readModelsAndKafkaFollowTheStoreExactlyWhileFourWritersAppend() throws Exception {
        try (JobStack stack = stack("live")) {
            JobClient job = stack.start(stack.config(Map.of()), REGISTRY);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("live", 500, 20, 1);

            OrderTraffic.append(stack.store, traffic, 4, 3);

            assertThat(stack.events().countDocuments()).isEqualTo(10_000);
            assertReadModelsMatchTheOracle(stack);
            assertKafkaHoldsEveryEventOnceInOrder(stack, 10_000);
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            JobStack.cancel(job);
        }
    }

    @Test
    void aRebuildFromAPrefilledStoreGivesTheSameReadModelsAsTheLiveJob() throws Exception {
        try (JobStack stack = stack("rebuild")) {
            OrderTraffic.append(stack.store, OrderTraffic.plan("rebuild", 300, 12, 2), 4, 5);
            JobConfig live = stack.config(Map.of("source.parallelism", "2", "source.snapshot.chunk-size-mb", "1"));
            JobClient first = stack.start(live, REGISTRY);
            assertReadModelsMatchTheOracle(stack);
            JobStack.cancel(first);

            JobConfig rebuild = live.with(Map.of("readmodel.collection-suffix", "_v2", "source.uid", "mongodb-cdc-source-v2",
                "kafka.topic-prefix", stack.topicPrefix + "-v2", "kafka.transactional-id-prefix", stack.name + "-v2"));
            JobClient second = stack.start(rebuild, REGISTRY);
            for (String collection : List.of("orders", "stream_summaries", "orders_per_customer", "units_sold_per_sku")) {
                Map<Object, BsonDocument> liveModels = ExactlyOnceChecks.byId(stack.readModels(collection).find().into(new ArrayList<>()));
                Await.until(collection + "_v2 to equal the live read models", WAIT,
                    () -> ExactlyOnceChecks.byId(stack.readModels(collection + "_v2").find().into(new ArrayList<>())).equals(liveModels),
                    () -> stack.readModels(collection + "_v2").countDocuments() + " of " + liveModels.size() + " documents");
            }
            JobStack.cancel(second);
        }
    }

    /**
     * A job started before any service wrote: the event collection does not exist yet, and a writer appends the moment
     * the job runs. With nothing to snapshot, Flink CDC would open the change stream only after the first checkpoint,
     * from then on; the job creates the collection first, so the events appended before that checkpoint are read too.
     */
    @Test
    void aJobStartedBeforeTheEventCollectionExistsMissesNothingAppendedRightAfter() throws Exception {
        try (JobStack stack = stack("fresh")) {
            String collection = "fresh_events";
            MongoDatabase database = stack.client.getDatabase(stack.eventDatabase);
            assertThat(database.listCollectionNames().into(new ArrayList<>())).doesNotContain(collection);

            JobClient job = stack.start(stack.config(Map.of("mongodb.collection", collection)), REGISTRY);
            EventStore store = EventStore.builder().mongoClient(stack.client).database(stack.eventDatabase)
                .collection(collection).build();
            OrderTraffic.append(store, OrderTraffic.plan("fresh", 40, 5, 8), 2, 1);

            MongoCollection<BsonDocument> events = database.getCollection(collection, BsonDocument.class);
            assertThat(events.countDocuments()).isEqualTo(200);
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, REGISTRY, events, WAIT);
            ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, events, 200, WAIT);
            JobStack.cancel(job);
        }
    }

    static void assertReadModelsMatchTheOracle(JobStack stack) {
        ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, REGISTRY, WAIT);
    }

    static void assertKafkaHoldsEveryEventOnceInOrder(JobStack stack, int expectedEvents) {
        ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, expectedEvents, WAIT);
    }
}
