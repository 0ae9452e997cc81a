package io.eventflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.eventflow.core.job.JobOperators;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.job.projection.crossaggregate.ContributionRouter;
import io.eventflow.job.projection.crossaggregate.CrossAggregateOperator;

/**
 * Savepoints map state to operators by uid and to keyed state by name: renaming either loses state on the next
 * upgrade. These literals are the contract; a change here must come with a state migration.
 */
class JobOperatorsTest {

    @Test
    void operatorUidsNeverChange() {
        assertThat(JobOperators.SOURCE_UID).isEqualTo("mongodb-cdc-source");
        assertThat(JobOperators.ROUTER_UID).isEqualTo("validate-change-records");
        assertThat(JobOperators.ORDERING_UID).isEqualTo("order-per-aggregate");
        assertThat(JobOperators.PROJECTIONS_UID).isEqualTo("apply-projections");
        assertThat(JobOperators.CROSS_AGGREGATE_ROUTER_UID).isEqualTo("route-cross-aggregate-events");
        assertThat(JobOperators.CROSS_AGGREGATE_PROJECTIONS_UID).isEqualTo("fold-cross-aggregate-projections");
        assertThat(JobOperators.CROSS_AGGREGATE_SINK_UID).isEqualTo("cross-aggregate-read-model-sink");
        assertThat(JobOperators.KAFKA_EVENTS_UID).isEqualTo("kafka-events-sink");
        assertThat(JobOperators.KAFKA_DEAD_LETTERS_UID).isEqualTo("kafka-dead-letter-sink");
        assertThat(JobOperators.KAFKA_INTEGRITY_UID).isEqualTo("kafka-integrity-sink");
        assertThat(JobOperators.KAFKA_ALERTS_UID).isEqualTo("kafka-gap-alert-sink");
        assertThat(JobOperators.READ_MODEL_SINK_UID_PREFIX).isEqualTo("read-model-sink-");
        assertThat(JobOperators.SELECT_UID_PREFIX).isEqualTo("select-");
    }

    @Test
    void keyedStateNamesNeverChange() {
        assertThat(OrderingFunction.STATE_NAME).isEqualTo("ordering");
        assertThat(OrderingFunction.BUFFER_STATE_NAME).isEqualTo("early-events");
        assertThat(ProjectionOperator.stateName("order")).isEqualTo("projection-order");
        assertThat(ContributionRouter.stateName("units-sold-per-sku")).isEqualTo("routing-units-sold-per-sku");
        assertThat(CrossAggregateOperator.stateName("units-sold-per-sku")).isEqualTo("cross-aggregate-units-sold-per-sku");
    }
}
