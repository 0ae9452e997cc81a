package io.eventflow.job.sink;

/** How events are spread over Kafka topics. */
public enum TopicMode {
    /** One topic per aggregate type: {@code <prefix>.<aggregateType>}, for example {@code events.Order}. */
    PER_AGGREGATE_TYPE,
    /** All events in the topic {@code <prefix>}. */
    SINGLE
}
