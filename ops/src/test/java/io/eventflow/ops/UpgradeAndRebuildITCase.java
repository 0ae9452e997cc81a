package io.eventflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.ops.audit.Audits;
import io.eventflow.ops.inspect.JobJars;
import io.eventflow.ops.lifecycle.JobLifecycle;
import io.eventflow.ops.lifecycle.Rebuild;
import io.eventflow.ops.testing.EmbeddedStackTest;
import io.eventflow.ops.testing.ProjectionJobFixture;
import io.eventflow.readmodels.ReadModelAliases;

/**
 * A savepoint upgrade and a zero-downtime rebuild, on the embedded stack, under a steady Order load, with the Order
 * example's application jar submitted as a user submits it: per-aggregate and cross-aggregate read models alike.
 */
class UpgradeAndRebuildITCase extends EmbeddedStackTest {

    private static final Logger log = LoggerFactory.getLogger(UpgradeAndRebuildITCase.class);
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @Test
    void anUpgradeFromASavepointCarriesOrderingAndProjectionStateOverWithNothingLostOrDuplicated() {
        try (ProjectionJobFixture stack = fixture("upgrade")) {
            String job = stack.startJob();
            OrderLoadGenerator load = stack.load(40, 1).start();
            Await.until("150 events appended", PATIENCE, () -> load.eventsAppended() >= 150, () -> "");

            String upgraded = new JobLifecycle(stack.flink, log::info, PATIENCE).upgrade(job, stack.submission(), null);
            long appendedAtUpgrade = load.eventsAppended();
            Await.until("150 more events after the upgrade",
                PATIENCE, () -> load.eventsAppended() >= appendedAtUpgrade + 150, () -> "");
            load.close();

            assertThat(stack.flink.job(job).state()).isEqualTo("FINISHED");
            assertThat(load.commandsFailed()).isZero();
            stack.awaitReadModelsMatchStore(PATIENCE);
            // projection state carried over: orders created before the upgrade and changed after still have the fields
            // only their OrderCreated event sets
            for (Document order : stack.readModels().getCollection("orders").find()) {
                assertThat(order.getString("customerId")).as("customerId of %s", order.get("_id")).isNotNull();
                assertThat(order.getList("items", Document.class)).as("items of %s", order.get("_id")).isNotEmpty();
            }
            // ordering state carried over: the new job's running total counts the events ordered before the upgrade
            long stored = stack.events().countDocuments();
            Await.until("eventsOrderedTotal of the upgraded job to equal the " + stored + " events in the store",
                PATIENCE, () -> stack.flink.metricTotal(upgraded, "eventsOrderedTotal") == stored, () -> "");
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
        }
    }

    @Test
    void aRebuildSwitchesReadersOnlyToACompleteReadModelAndHandsKafkaOverWithoutLossOrDuplicates() throws Exception {
        try (ProjectionJobFixture stack = fixture("rebuild")) {
            String live = stack.startJob();
            OrderLoadGenerator load = stack.load(40, 2).start();
            Await.until("150 events appended and 20 orders projected", PATIENCE, () -> load.eventsAppended() >= 150
                && stack.readModels().getCollection("orders").countDocuments() >= 20, () -> "");

            // what readers can see before the rebuild starts; they must never see less
            Map<String, Long> before = versions(stack.readModels().getCollection("orders").find());
            ReadModelAliases aliases = new ReadModelAliases(stack.readModels());
            AtomicBoolean reading = new AtomicBoolean(true);
            List<String> violations = new ArrayList<>();
            Set<String> collectionsRead = ConcurrentHashMap.newKeySet();
            AtomicLong reads = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    String collection = aliases.resolve("orders");
                    collectionsRead.add(collection);
                    Map<String, Long> seen = versions(stack.readModels().getCollection(collection).find());
                    before.forEach((id, version) -> {
                        if (seen.getOrDefault(id, 0L) < version) {
                            violations.add(collection + " had " + id + " at " + seen.get(id) + ", before the rebuild " + version);
                        }
                    });
                    reads.incrementAndGet();
                }
            }, "reader");
            reader.start();

            // documents no stream holds: the job dead-letters them; the gate must count them as accounted for
            stack.events().insertOne(new Document("_id", "malformed-1").append("aggregateType", "Order")
                .append("eventType", "OrderNoteAdded").append("sequenceNo", 1L));
            stack.events().insertOne(new Document("_id", "malformed-2").append("aggregateId", "rebuild-order-0")
                .append("aggregateType", "Order").append("eventType", "OrderNoteAdded").append("sequenceNo", "seven"));

            Rebuild.Result result;
            try (JobJars jars = JobJars.open(stack.submission())) {
                Rebuild.Builder rebuild = Rebuild.builder().flink(stack.flink).events(stack.events())
                    .readModels(stack.readModels()).submission(stack.submission()).liveJob(live)
                    .retireAfter(Duration.ofSeconds(2)).gateTimeout(PATIENCE)
                    .operationTimeout(PATIENCE).progress(log::info);
                Audits.of(jars, List.of(), stack.events(), Rebuild.auditSettle(stack.flink.checkpointInterval(live)), 3,
                    5).forEach(rebuild::readModel);
                result = rebuild.build().run();
            }

            long appendedAfterRebuild = load.eventsAppended();
            Await.until("100 more events after the rebuild",
                PATIENCE, () -> load.eventsAppended() >= appendedAfterRebuild + 100, () -> "");
            load.close();
            reading.set(false);
            reader.join();

            assertThat(violations).as("reads of a missing or older read model").isEmpty();
            assertThat(collectionsRead).contains("orders", "orders_v2");
            assertThat(reads.get()).isGreaterThan(10);
            assertThat(result.version()).isEqualTo(2);
            assertThat(aliases.resolve("orders")).isEqualTo("orders_v2");
            for (String readModel : List.of("stream_summaries", "orders_per_customer", "units_sold_per_sku")) {
                assertThat(aliases.resolve(readModel)).isEqualTo(readModel + "_v2");
            }
            assertThat(stack.readModels().listCollectionNames()).doesNotContain("orders", "stream_summaries",
                "orders_per_customer", "units_sold_per_sku", "orders_per_customer.applied");
            assertThat(vertexNames(stack, result.kafkaJobId())).noneMatch(name -> name.contains("Apply projections")
                    || name.contains("Fold cross-aggregate"))
                .anyMatch(name -> name.contains("Publish events to Kafka"));
            assertThat(vertexNames(stack, result.readModelJobId())).noneMatch(name -> name.contains("Publish events"));

            stack.awaitReadModelsMatchStore(PATIENCE);
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
        }
    }

    private static List<String> vertexNames(ProjectionJobFixture stack, String job) {
        List<String> names = new ArrayList<>();
        for (JsonNode vertex : stack.flink.jobDetails(job).path("vertices")) {
            names.add(vertex.path("name").asText());
        }
        return names;
    }

    private static Map<String, Long> versions(Iterable<Document> documents) {
        Map<String, Long> versions = new HashMap<>();
        for (Document document : documents) {
            versions.put(document.getString("_id"), ((Number) document.get("lastSequenceNo")).longValue());
        }
        return versions;
    }
}
