package io.eventflow.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cluster time of a change, as the connector writes it in extended JSON. */
class ChangeRecordDeserializerTest {

    @Test
    void theConnectorsTimestampIsReadWithoutAJsonParser() {
        assertThat(ChangeRecordDeserializer.clusterTime("{\"$timestamp\": {\"t\": 1700000000, \"i\": 3}}"))
            .isEqualTo(1700000000L << 32 | 3);
        assertThat(ChangeRecordDeserializer.clusterTime("{\"$timestamp\":{\"t\":4294967295,\"i\":4294967295}}"))
            .isEqualTo(-1L);
    }

    @Test
    void otherFormsGoThroughTheParserAndWhatIsNoTimestampIsZero() {
        assertThat(ChangeRecordDeserializer.clusterTime("{\"$timestamp\": {\"i\": 3, \"t\": 7}}")).isEqualTo(7L << 32 | 3);
        assertThat(ChangeRecordDeserializer.clusterTime("{\"$timestamp\": {\"t\": 4294967296, \"i\": 0}}")).isZero();
        assertThat(ChangeRecordDeserializer.clusterTime("{\"$date\": 5}")).isZero();
        assertThat(ChangeRecordDeserializer.clusterTime("not json")).isZero();
        assertThat(ChangeRecordDeserializer.clusterTime(null)).isZero();
    }
}
