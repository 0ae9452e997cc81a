package io.eventflow.job.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import io.eventflow.job.model.ChangeRecord;

/**
 * Turns Flink CDC's MongoDB source records into {@link ChangeRecord}s, keeping the documents as the extended JSON
 * the connector produces. It never fails: parsing and validation happen in {@link ChangeRecordRouter}, which can
 * dead-letter what it cannot read instead of failing the job.
 */
public final class ChangeRecordDeserializer implements DebeziumDeserializationSchema<ChangeRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeRecord> out) {
        if (!(record.value() instanceof Struct value) || value.schema().field("operationType") == null) {
            return;
        }
        ChangeRecord change = new ChangeRecord();
        change.operationType = text(value, "operationType");
        change.fullDocumentJson = text(value, "fullDocument");
        change.documentKeyJson = text(value, "documentKey");
        if (value.schema().field("ns") != null && value.get("ns") instanceof Struct ns) {
            change.database = ns.getString("db");
            change.collection = text(ns, "coll");
        }
        if (value.schema().field("source") != null && value.get("source") instanceof Struct source) {
            change.snapshot = "true".equals(text(source, "snapshot"));
        }
        if (value.schema().field("updateDescription") != null && value.get("updateDescription") instanceof Struct update) {
            change.updateDescriptionJson = "{\"updatedFields\": " + text(update, "updatedFields") + ", \"removedFields\": "
                + update.get("removedFields") + "}";
        }
        change.clusterTime = clusterTime(text(value, "clusterTime"));
        out.collect(change);
    }

    private static final Pattern TIMESTAMP = Pattern.compile(
        "\\{\\s*\"\\$timestamp\"\\s*:\\s*\\{\\s*\"t\"\\s*:\\s*(\\d{1,10})\\s*,\\s*\"i\"\\s*:\\s*(\\d{1,10})\\s*}\\s*}");

    /**
     * {@code {"$timestamp": {"t": 1700000000, "i": 3}}} as the 64-bit timestamp value; 0 if absent or unreadable. The
     * connector's own form is matched directly (once per event, a JSON parser costs a tenth of the source thread);
     * anything else goes through the BSON library's extended JSON parser.
     */
    static long clusterTime(String json) {
        if (json == null) {
            return 0;
        }
        Matcher plain = TIMESTAMP.matcher(json);
        if (plain.matches()) {
            long seconds = Long.parseLong(plain.group(1));
            long increment = Long.parseLong(plain.group(2));
            if (seconds <= 0xFFFFFFFFL && increment <= 0xFFFFFFFFL) {
                return seconds << 32 | increment;
            }
            return 0;
        }
        try {
            BsonValue value = BsonDocument.parse("{t: " + json + "}").get("t");
            return value.isTimestamp() ? value.asTimestamp().getValue() : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static String text(Struct struct, String name) {
        Field field = struct.schema().field(name);
        if (field == null) {
            return null;
        }
        Object value = struct.get(field);
        return value == null ? null : value.toString();
    }

    @Override
    public TypeInformation<ChangeRecord> getProducedType() {
        return TypeInformation.of(ChangeRecord.class);
    }
}
