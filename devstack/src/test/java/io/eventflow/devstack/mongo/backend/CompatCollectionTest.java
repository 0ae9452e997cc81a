package io.eventflow.devstack.mongo.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import de.bwaldvogel.mongo.bson.Document;

/** How queries are reshaped to plan an ordered index read; the results themselves are checked by QueryContract. */
class CompatCollectionTest {

    @Test
    void theDriversAndOfEqualityAndRangeIsPlannedAsOneDocument() {
        Document query = new Document("$and", List.of(new Document("aggregateId", "a"),
            new Document("sequenceNo", new Document("$gte", 10L)), new Document("sequenceNo", new Document("$lt", 20L))));

        assertThat(CompatCollection.withoutTopLevelAnd(query)).isEqualTo(new Document("aggregateId", "a")
            .append("sequenceNo", new Document("$gte", 10L).append("$lt", 20L)));
    }

    @Test
    void conditionsThatCannotBeMergedLeaveTheQueryAsItIs() {
        Document sameOperatorTwice = new Document("$and", List.of(new Document("n", new Document("$gt", 1)),
            new Document("n", new Document("$gt", 5))));
        Document equalityTwice = new Document("$and", List.of(new Document("n", 1), new Document("n", 2)));
        Document nestedOr = new Document("$and", List.of(new Document("$or", List.of(new Document("n", 1)))));
        Document plain = new Document("n", 1);

        assertThat(CompatCollection.withoutTopLevelAnd(sameOperatorTwice)).isSameAs(sameOperatorTwice);
        assertThat(CompatCollection.withoutTopLevelAnd(equalityTwice)).isSameAs(equalityTwice);
        assertThat(CompatCollection.withoutTopLevelAnd(nestedOr)).isSameAs(nestedOr);
        assertThat(CompatCollection.withoutTopLevelAnd(plain)).isSameAs(plain);
    }
}
