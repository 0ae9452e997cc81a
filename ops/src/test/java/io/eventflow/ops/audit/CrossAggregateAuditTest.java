package io.eventflow.ops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** How the audit names the field in which a stored cross-aggregate document differs from its recomputation. */
class CrossAggregateAuditTest {

    @Test
    void theFirstDifferingFieldIsShownAsMongoDbWouldPrintIt() {
        BsonDocument recomputed = BsonDocument.parse("{_id: 'c8', openCarts: {$numberLong: '1'}, total: "
            + "{$numberDecimal: '12.50'}, eventCount: {$numberLong: '3'}}");

        assertThat(CrossAggregateAudit.firstDifference(recomputed, BsonDocument.parse(
            "{_id: 'c8', openCarts: {$numberLong: '42'}, total: {$numberDecimal: '12.50'}, eventCount: {$numberLong: '3'}}")))
            .isEqualTo("openCarts: expected 1, stored 42");
        assertThat(CrossAggregateAudit.firstDifference(recomputed, BsonDocument.parse(
            "{_id: 'c8', openCarts: {$numberLong: '1'}, total: {$numberDecimal: '12.5'}, eventCount: {$numberLong: '3'}}")))
            .isEqualTo("total: expected {\"$numberDecimal\": \"12.50\"}, stored {\"$numberDecimal\": \"12.5\"}");
        assertThat(CrossAggregateAudit.firstDifference(recomputed, BsonDocument.parse(
            "{_id: 'c8', openCarts: {$numberLong: '1'}, total: {$numberDecimal: '12.50'}, eventCount: {$numberLong: '3'}, "
                + "note: 'x'}")))
            .isEqualTo("note: expected none, stored \"x\"");
        assertThat(CrossAggregateAudit.firstDifference(recomputed, recomputed.clone())).isNull();
    }
}
