package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/** What MongoDB refuses to store, beyond what mongo-java-server checks. */
final class DocumentRules {

    private static final int INVALID_ID_FIELD = 53;

    private DocumentRules() {
    }

    /** An {@code _id} that is a document must not have {@code $}-prefixed fields. */
    static void checkStorable(Document document) {
        if (document.get("_id") instanceof Document id) {
            for (String key : id.keySet()) {
                if (key.startsWith("$")) {
                    throw new MongoServerError(INVALID_ID_FIELD, "InvalidIdField", "_id fields may not contain "
                        + "'$'-prefixed fields: " + key + " is not valid for storage.");
                }
            }
        }
    }
}
