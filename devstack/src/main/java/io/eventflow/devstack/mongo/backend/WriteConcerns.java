package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;

/**
 * The write concern error a single-node replica set reports for a write concern it cannot satisfy: more than one
 * acknowledging node ({@code w: 2} and up: UnsatisfiableWriteConcern, 100) or a tag set it does not define
 * (UnknownReplWriteConcern, 79). The write itself is applied, as on MongoDB.
 */
final class WriteConcerns {

    private WriteConcerns() {
    }

    /** The {@code writeConcernError} for the command's write concern, or null when it can be satisfied. */
    static Document errorFor(Document command) {
        if (!(command.get("writeConcern") instanceof Document writeConcern)) {
            return null;
        }
        Object w = writeConcern.get("w");
        if (w instanceof Number nodes && nodes.intValue() > 1) {
            return new Document("code", 100).append("codeName", "UnsatisfiableWriteConcern")
                .append("errmsg", "Not enough data-bearing nodes").append("errInfo", new Document("writeConcern", writeConcern));
        }
        if (w instanceof String tag && !tag.equals("majority")) {
            return new Document("code", 79).append("codeName", "UnknownReplWriteConcern")
                .append("errmsg", "No write concern mode named '" + tag + "' found in replica set configuration")
                .append("errInfo", new Document("writeConcern", writeConcern));
        }
        return null;
    }
}
