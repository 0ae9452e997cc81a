package io.eventflow.devstack.spec;

import java.util.Map;

import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonValue;

import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;

/** The driver's write results as the documents the test files expect. */
final class WriteResults {

    private static final BsonDocument UNACKNOWLEDGED = new BsonDocument("acknowledged", BsonBoolean.FALSE);

    private WriteResults() {
    }

    static BsonDocument of(InsertOneResult result) {
        if (!result.wasAcknowledged()) {
            return UNACKNOWLEDGED.clone();
        }
        BsonDocument document = new BsonDocument();
        if (result.getInsertedId() != null) {
            document.append("insertedId", result.getInsertedId());
        }
        return document;
    }

    static BsonDocument of(InsertManyResult result) {
        if (!result.wasAcknowledged()) {
            return UNACKNOWLEDGED.clone();
        }
        BsonDocument ids = new BsonDocument();
        for (Map.Entry<Integer, BsonValue> entry : result.getInsertedIds().entrySet()) {
            ids.append(String.valueOf(entry.getKey()), entry.getValue());
        }
        return new BsonDocument("insertedIds", ids);
    }

    static BsonDocument of(UpdateResult result) {
        if (!result.wasAcknowledged()) {
            return UNACKNOWLEDGED.clone();
        }
        BsonDocument document = new BsonDocument("matchedCount", new BsonInt64(result.getMatchedCount()))
            .append("modifiedCount", new BsonInt64(result.getModifiedCount()))
            .append("upsertedCount", new BsonInt64(result.getUpsertedId() == null ? 0 : 1));
        if (result.getUpsertedId() != null) {
            document.append("upsertedId", result.getUpsertedId());
        }
        return document;
    }

    static BsonDocument of(DeleteResult result) {
        if (!result.wasAcknowledged()) {
            return UNACKNOWLEDGED.clone();
        }
        return new BsonDocument("deletedCount", new BsonInt64(result.getDeletedCount()));
    }

    static BsonDocument of(BulkWriteResult result) {
        if (!result.wasAcknowledged()) {
            return UNACKNOWLEDGED.clone();
        }
        BsonDocument insertedIds = new BsonDocument();
        for (BulkWriteInsert insert : result.getInserts()) {
            insertedIds.append(String.valueOf(insert.getIndex()), insert.getId());
        }
        BsonDocument upsertedIds = new BsonDocument();
        for (BulkWriteUpsert upsert : result.getUpserts()) {
            upsertedIds.append(String.valueOf(upsert.getIndex()), upsert.getId());
        }
        return new BsonDocument("deletedCount", new BsonInt64(result.getDeletedCount()))
            .append("insertedCount", new BsonInt64(result.getInsertedCount()))
            .append("insertedIds", insertedIds)
            .append("matchedCount", new BsonInt64(result.getMatchedCount()))
            .append("modifiedCount", new BsonInt64(result.getModifiedCount()))
            .append("upsertedCount", new BsonInt64(result.getUpserts().size()))
            .append("upsertedIds", upsertedIds);
    }
}
