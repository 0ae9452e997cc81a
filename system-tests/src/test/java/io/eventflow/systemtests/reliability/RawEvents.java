package io.eventflow.systemtests.reliability;

import java.util.Date;
import java.util.UUID;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;

/** Event documents written straight to the store, bypassing the writer, to build what the writer never would. */
final class RawEvents {

    private RawEvents() {
    }

    /** A valid Order event document at the given position. */
    static BsonDocument order(String aggregateId, long sequenceNo, String eventType) {
        BsonDocument payload = switch (eventType) {
            case "OrderCreated" -> BsonDocument.parse("{customerId: 'c1', currency: 'EUR', items: [{sku: 'a', quantity: 1, "
                + "unitPrice: 2.5}]}");
            case "OrderNoteAdded" -> BsonDocument.parse("{note: 'late'}");
            default -> new BsonDocument();
        };
        return new BsonDocument("_id", new BsonString(UUID.randomUUID().toString()))
            .append("aggregateId", new BsonString(aggregateId))
            .append("aggregateType", new BsonString("Order"))
            .append("sequenceNo", new BsonInt64(sequenceNo))
            .append("eventType", new BsonString(eventType))
            .append("schemaVersion", new BsonInt32(eventType.equals("OrderCreated") ? 2 : 1))
            .append("occurredAt", new BsonDateTime(new Date().getTime()))
            .append("payload", payload)
            .append("metadata", new BsonDocument())
            .append("commitId", new BsonString(UUID.randomUUID().toString()));
    }
}
