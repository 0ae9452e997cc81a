package io.eventflow.systemtests.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.kafka.CommittedKafkaReader.Message;
import io.eventflow.devstack.testing.Await;
import io.eventflow.job.projection.ProjectionRegistry;

/**
 * The two checks every end-to-end and fault test ends with: the read models equal a replay oracle computed from the
 * event store, and Kafka, read with read_committed, holds each stored event exactly once, in sequence order per
 * aggregate, on one partition.
 */
public final class ExactlyOnceChecks {

    /** What the Kafka check counted: events in the store, stored events missing on Kafka, extra copies on Kafka. */
    public record Tally(long events, long lost, long duplicated) {
    }

    private ExactlyOnceChecks() {
    }

    public static void assertReadModelsMatchTheOracle(JobStack stack, ProjectionRegistry registry, Duration wait) {
        assertReadModelsMatchTheOracle(stack, registry, stack.events(), wait);
    }

    /**
     * The read models equal the oracle computed from {@code source}: a copy of the good events when a test also writes
     * bad ones to the store (documents of aggregates the source does not hold may exist besides).
     */
    public static void assertReadModelsMatchTheOracle(JobStack stack, ProjectionRegistry registry,
                                                      MongoCollection<BsonDocument> source, Duration wait) {
        boolean whole = source.getNamespace().equals(stack.events().getNamespace());
        Map<String, Map<String, BsonDocument>> expected = ReplayOracle.expectedReadModels(source, registry);
        if (!whole) {
            expected.forEach((collection, documents) -> Await.until(collection + " to hold the oracle's "
                + documents.size() + " documents", wait, () -> documents.values().stream().allMatch(document ->
                    document.equals(stack.readModels(collection).find(new org.bson.Document("_id",
                        document.get("_id"))).first())), () -> difference(stack, collection, documents)));
            return;
        }
        expected.forEach((collection, documents) -> {
            Await.until(collection + " to equal the replay oracle (" + documents.size() + " documents)", wait,
                () -> byId(stack.readModels(collection).find().into(new ArrayList<>())).equals(new HashMap<>(documents)),
                () -> difference(stack, collection, documents));
        });
    }

    /** Reads the event topics until they hold {@code expectedEvents} records, then checks them; returns the tally. */
    public static Tally assertKafkaHoldsEveryEventOnceInOrder(JobStack stack, long expectedEvents, Duration wait) {
        return assertKafkaHoldsEveryEventOnceInOrder(stack, stack.events(), expectedEvents, wait);
    }

    /** The same, against the events of {@code source} (a copy of the good events, or the store itself). */
    public static Tally assertKafkaHoldsEveryEventOnceInOrder(JobStack stack, MongoCollection<BsonDocument> source,
                                                              long expectedEvents, Duration wait) {
        List<Message> messages = CommittedKafkaReader.readAll(stack.bootstrapServers,
            Pattern.compile(Pattern.quote(stack.topicPrefix) + "\\.(?!dlq$|alerts$|integrity$)[^.]+"),
            read -> read.size() >= expectedEvents, wait);
        Map<String, List<String>> stored = ReplayOracle.eventIdsByAggregate(source);

        Set<String> storedIds = stored.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        Set<String> seen = new HashSet<>();
        long duplicated = messages.stream().filter(message -> !seen.add(message.header("eventId"))).count();
        long lost = storedIds.stream().filter(id -> !seen.contains(id)).count();
        Tally tally = new Tally(storedIds.size(), lost, duplicated);
        assertThat(tally.lost()).as("stored events missing on Kafka").isZero();
        assertThat(tally.duplicated()).as("extra copies on Kafka").isZero();

        assertThat(messages).hasSize(storedIds.size());
        Map<String, List<Message>> byAggregate = messages.stream().collect(Collectors.groupingBy(Message::key));
        assertThat(byAggregate.keySet()).isEqualTo(stored.keySet());
        byAggregate.forEach((aggregateId, records) -> {
            assertThat(records).extracting(message -> message.header("eventId")).as(aggregateId)
                .containsExactlyElementsOf(stored.get(aggregateId));
            assertThat(records).extracting(Message::partition).as("one partition per aggregate")
                .containsOnly(records.get(0).partition());
        });
        return tally;
    }

    public static Map<Object, BsonDocument> byId(List<BsonDocument> documents) {
        Map<Object, BsonDocument> result = new HashMap<>();
        documents.forEach(document -> result.put(document.getString("_id").getValue(), document));
        return result;
    }

    private static String difference(JobStack stack, String collection, Map<String, BsonDocument> expected) {
        Map<Object, BsonDocument> actual = byId(stack.readModels(collection).find().into(new ArrayList<>()));
        long missing = expected.keySet().stream().filter(id -> !actual.containsKey(id)).count();
        List<String> different = expected.entrySet().stream()
            .filter(entry -> actual.containsKey(entry.getKey()) && !actual.get(entry.getKey()).equals(entry.getValue()))
            .limit(2).map(entry -> "expected " + entry.getValue().toJson() + " but was " + actual.get(entry.getKey()).toJson())
            .toList();
        return actual.size() + " documents, " + missing + " missing, " + different;
    }
}
