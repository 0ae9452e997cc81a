package io.eventflow.devstack.cluster.testjob;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The process-level tests' job, packaged into a jar by the tests and submitted over REST like any user job: a
 * rate-limited sequence 0, 1, 2, ... (a checkpointed, rescalable source: the sequence is cut into one range per
 * source subtask at the first start), keyed by {@code value % keys} through a network shuffle, a keyed counter
 * (RocksDB state that must survive failovers and rescaling), and a sink that commits one file per subtask and
 * checkpoint, exactly once. Each output line is {@code value,key,count}: after any number of failures, every range
 * of the sequence must appear as a gap-free prefix, each value once, and each key's counts as 1, 2, ... n, each once.
 *
 * <p>Arguments: {@code --output DIR} (required), {@code --rate} (values per second, all subtasks together; 200),
 * {@code --keys} (16), {@code --checkpoint-interval} (ms; 500), {@code --name} (sequence).
 */
public final class SequenceJob {

    /** Values the source may produce: far more than any test reaches, so the job runs until it is stopped. */
    public static final long COUNT = 1_000_000_000_000L;

    private SequenceJob() {
    }

    public static void main(String[] args) throws Exception {
        ParameterTool parameters = ParameterTool.fromArgs(args);
        int keys = parameters.getInt("keys", 16);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(parameters.getLong("checkpoint-interval", 500));

        DataGeneratorSource<Long> source = new DataGeneratorSource<>(index -> index, COUNT,
            RateLimiterStrategy.perSecond(parameters.getDouble("rate", 200)), Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "Sequence").uid("sequence")
            .keyBy(new ModuloKey(keys))
            .map(new CountPerKey(keys)).uid("count-per-key").name("Count per key")
            .sinkTo(new CommittedFileSink(parameters.getRequired("output"))).uid("committed-files")
            .name("Committed files");
        env.execute(parameters.get("name", "sequence"));
    }

    /** {@code value % keys}. */
    static final class ModuloKey implements KeySelector<Long, Integer> {
        private final int keys;

        ModuloKey(int keys) {
            this.keys = keys;
        }

        @Override
        public Integer getKey(Long value) {
            return (int) (value % keys);
        }
    }

    /** Counts the values of each key in keyed state and emits {@code value,key,count}. */
    static final class CountPerKey extends RichMapFunction<Long, String> {
        private final int keys;
        private transient ValueState<Long> count;

        CountPerKey(int keys) {
            this.keys = keys;
        }

        @Override
        public void open(Configuration parameters) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public String map(Long value) throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            return value + "," + (value % keys) + "," + next;
        }
    }
}
