package io.eventflow.job.sink;

import java.util.List;

import org.apache.flink.connector.mongodb.sink.writer.context.MongoSinkContext;
import org.apache.flink.connector.mongodb.sink.writer.serializer.MongoSerializationSchema;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;

import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.readmodel.ReadModelDocuments;

/**
 * Turns a read-model update into an upsert that replaces the stored document only if its {@code lastSequenceNo} is
 * lower, in one pipeline update evaluated atomically by the server:
 *
 * <pre>
 * updateOne({_id: aggregateId},
 *           [{$replaceWith: {$cond: [{$lt: [{$ifNull: ["$lastSequenceNo", 0]}, N]}, {$literal: newDocument}, "$$ROOT"]}}],
 *           {upsert: true})
 * </pre>
 *
 * A replayed or older update (after a failover, or from a second job version) is a no-op rather than a duplicate-key
 * error or a step back, so the read model never goes backwards and the sink never crash-loops.
 */
public final class VersionGuardedUpsert implements MongoSerializationSchema<ReadModelUpdate> {

    private static final long serialVersionUID = 1L;
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    @Override
    public WriteModel<BsonDocument> serialize(ReadModelUpdate update, MongoSinkContext context) {
        BsonDocument document = ReadModelDocuments.decode(update.document);
        return new UpdateOneModel<>(Filters.eq(ReadModelFields.ID, update.aggregateId),
            guardedReplacement(document, ReadModelFields.LAST_SEQUENCE_NO, update.lastSequenceNo), UPSERT);
    }

    /**
     * The pipeline that replaces the document with {@code document} only if the stored {@code versionField} is below
     * {@code version} (or absent).
     */
    public static List<Bson> guardedReplacement(BsonDocument document, String versionField, long version) {
        BsonDocument storedVersion = new BsonDocument("$ifNull", new BsonArray(List.of(
            new BsonString("$" + versionField), new BsonInt64(0))));
        BsonDocument isNewer = new BsonDocument("$lt", new BsonArray(List.of(storedVersion, new BsonInt64(version))));
        BsonDocument choice = new BsonDocument("$cond", new BsonArray(List.of(isNewer,
            new BsonDocument("$literal", document), new BsonString("$$ROOT"))));
        return List.of(new BsonDocument("$replaceWith", choice));
    }
}
