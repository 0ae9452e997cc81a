package io.eventflow.devstack.spec;

import java.util.concurrent.TimeUnit;

import org.bson.BsonDocument;
import org.bson.BsonNull;

import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.FullDocumentBeforeChange;

/** {@code createChangeStream} on a client, database or collection, and the iteration of the stream it returns. */
final class ChangeStreamOperations {

    private ChangeStreamOperations() {
    }

    /** Applies the options and opens the stream (the driver sends the aggregate now); returns the cursor entity. */
    static MongoCursor<BsonDocument> open(ChangeStreamIterable<BsonDocument> stream, Arguments args) {
        CollectionOperations.apply(args, "batchSize", v -> stream.batchSize(v.asNumber().intValue()));
        CollectionOperations.apply(args, "fullDocument", v -> stream.fullDocument(FullDocument.fromString(v.asString().getValue())));
        CollectionOperations.apply(args, "fullDocumentBeforeChange",
            v -> stream.fullDocumentBeforeChange(FullDocumentBeforeChange.fromString(v.asString().getValue())));
        CollectionOperations.apply(args, "resumeAfter", v -> stream.resumeAfter(v.asDocument()));
        CollectionOperations.apply(args, "startAfter", v -> stream.startAfter(v.asDocument()));
        CollectionOperations.apply(args, "startAtOperationTime", v -> stream.startAtOperationTime(v.asTimestamp()));
        CollectionOperations.apply(args, "maxAwaitTimeMS",
            v -> stream.maxAwaitTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
        CollectionOperations.apply(args, "comment", stream::comment);
        CollectionOperations.apply(args, "showExpandedEvents", v -> stream.showExpandedEvents(v.asBoolean().getValue()));
        CollectionOperations.apply(args, "collation", v -> stream.collation(CollectionOperations.collation(v)));
        args.requireAllUsed();
        return stream.withDocumentClass(BsonDocument.class).cursor();
    }

    static Object iterate(String name, MongoCursor<BsonDocument> cursor) {
        return switch (name) {
            case "iterateUntilDocumentOrError" -> cursor.next();
            case "iterateOnce" -> {
                BsonDocument next = cursor.tryNext();
                yield next == null ? BsonNull.VALUE : next;
            }
            case "close" -> {
                cursor.close();
                yield null;
            }
            default -> throw new RunnerException("change stream operation '" + name + "' is not supported by this runner");
        };
    }
}
