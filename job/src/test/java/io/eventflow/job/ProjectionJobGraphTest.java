package io.eventflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.junit.jupiter.api.Test;

import io.eventflow.core.job.JobOperators;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.testing.PerCategory;

/** Which operators the job builds for each setting of {@code outputs}; every one keeps its stable uid. */
class ProjectionJobGraphTest {

    @Test
    void bothOutputsByDefault() {
        assertThat(operatorUids("read-models;kafka")).contains(JobOperators.ORDERING_UID, JobOperators.PROJECTIONS_UID,
            "read-model-sink-tally", JobOperators.KAFKA_EVENTS_UID, JobOperators.KAFKA_DEAD_LETTERS_UID,
            JobOperators.KAFKA_INTEGRITY_UID, JobOperators.KAFKA_ALERTS_UID);
    }

    @Test
    void crossAggregateProjectionsGetTheirRouterFoldAndTwoPhaseCommitSink() {
        assertThat(operatorUids("read-models;kafka")).contains(JobOperators.CROSS_AGGREGATE_ROUTER_UID,
            JobOperators.CROSS_AGGREGATE_PROJECTIONS_UID, JobOperators.CROSS_AGGREGATE_SINK_UID);
    }

    @Test
    void aReadModelJobPublishesOnlyItsProjectionDeadLetters() {
        List<String> uids = operatorUids("read-models");
        assertThat(uids).contains(JobOperators.ORDERING_UID, JobOperators.PROJECTIONS_UID, "read-model-sink-tally",
            JobOperators.KAFKA_DEAD_LETTERS_UID);
        assertThat(uids).doesNotContain(JobOperators.KAFKA_EVENTS_UID, JobOperators.KAFKA_INTEGRITY_UID,
            JobOperators.KAFKA_ALERTS_UID);
    }

    @Test
    void aKafkaJobRunsNoProjections() {
        List<String> uids = operatorUids("kafka");
        assertThat(uids).contains(JobOperators.ORDERING_UID, JobOperators.KAFKA_EVENTS_UID,
            JobOperators.KAFKA_DEAD_LETTERS_UID, JobOperators.KAFKA_INTEGRITY_UID, JobOperators.KAFKA_ALERTS_UID);
        assertThat(uids).doesNotContain(JobOperators.PROJECTIONS_UID, "read-model-sink-tally",
            JobOperators.CROSS_AGGREGATE_PROJECTIONS_UID, JobOperators.CROSS_AGGREGATE_SINK_UID);
    }

    @Test
    void theRouterRunsAtTheSourcesParallelismChainedToItSoThatOrderingSeesTheChangeStreamsOrder() {
        Map<String, String> values = new HashMap<>(Map.of("mongodb.uri", "mongodb://db:27017/?replicaSet=rs0",
            "kafka.bootstrap-servers", "kafka:9092", "job.parallelism", "4"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ProjectionJob job = new ProjectionJob(JobConfig.of(values), ProjectionCatalog.of(new PerCategory.Provider())
            .select(List.of()));
        job.configure(env);
        DataStream<ChangeRecord> changes = env.fromSequence(1, 1).setParallelism(1)
            .map(ignored -> new ChangeRecord()).returns(TypeInformation.of(ChangeRecord.class)).setParallelism(1);
        job.build(changes);

        StreamGraph graph = env.getStreamGraph();
        StreamNode router = graph.getStreamNodes().stream()
            .filter(node -> JobOperators.ROUTER_UID.equals(node.getTransformationUID())).findFirst().orElseThrow();
        assertThat(router.getParallelism()).isEqualTo(1);
        assertThat(router.getInEdges()).singleElement().satisfies(edge ->
            assertThat(edge.getPartitioner()).isInstanceOf(ForwardPartitioner.class));
    }

    @Test
    void theMaxParallelismIsSetExplicitlySoThatTheFirstSavepointDoesNotFreezeADerivedOne() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new ProjectionJob(JobConfig.of(Map.of("mongodb.uri", "mongodb://db:27017/?replicaSet=rs0",
            "kafka.bootstrap-servers", "kafka:9092", "job.parallelism", "2")), ProjectionCatalog.of(
            new PerCategory.Provider()).select(List.of())).configure(env);
        assertThat(env.getMaxParallelism()).isEqualTo(128);

        StreamExecutionEnvironment larger = StreamExecutionEnvironment.getExecutionEnvironment();
        new ProjectionJob(JobConfig.of(Map.of("mongodb.uri", "mongodb://db:27017/?replicaSet=rs0",
            "kafka.bootstrap-servers", "kafka:9092", "job.max-parallelism", "1024")), ProjectionCatalog.of(
            new PerCategory.Provider()).select(List.of())).configure(larger);
        assertThat(larger.getMaxParallelism()).isEqualTo(1024);
    }

    private static List<String> operatorUids(String outputs) {
        Map<String, String> values = new HashMap<>(Map.of("mongodb.uri", "mongodb://db:27017/?replicaSet=rs0",
            "kafka.bootstrap-servers", "kafka:9092", "outputs", outputs));
        JobConfig config = JobConfig.of(values);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<ChangeRecord> changes = env.fromSequence(1, 1)
            .map(ignored -> new ChangeRecord()).returns(TypeInformation.of(ChangeRecord.class));
        new ProjectionJob(config, ProjectionCatalog.of(new PerCategory.Provider()).select(List.of())).build(changes);
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID)
            .filter(uid -> uid != null).toList();
    }
}
