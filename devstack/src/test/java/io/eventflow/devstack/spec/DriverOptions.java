package io.eventflow.devstack.spec;

import java.util.concurrent.TimeUnit;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.ReadConcern;
import com.mongodb.ReadConcernLevel;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;

/** Read concerns, write concerns, read preferences and transaction options as the test files spell them. */
final class DriverOptions {

    private DriverOptions() {
    }

    static ReadConcern readConcern(BsonDocument document) {
        if (!document.containsKey("level")) {
            return ReadConcern.DEFAULT;
        }
        return new ReadConcern(ReadConcernLevel.fromString(document.getString("level").getValue()));
    }

    static WriteConcern writeConcern(BsonDocument document) {
        WriteConcern writeConcern = WriteConcern.ACKNOWLEDGED;
        for (String key : document.keySet()) {
            BsonValue value = document.get(key);
            switch (key) {
                case "w" -> writeConcern = value.isString() ? writeConcern.withW(value.asString().getValue())
                    : writeConcern.withW(value.asNumber().intValue());
                case "j", "journal" -> writeConcern = writeConcern.withJournal(value.asBoolean().getValue());
                case "wtimeoutMS", "wtimeout" -> writeConcern = writeConcern.withWTimeout(value.asNumber().longValue(),
                    TimeUnit.MILLISECONDS);
                default -> throw new RunnerException("writeConcern: unsupported field '" + key + "' in " + document.toJson());
            }
        }
        return writeConcern;
    }

    static ReadPreference readPreference(BsonDocument document) {
        String mode = document.getString("mode").getValue();
        if (document.containsKey("maxStalenessSeconds")) {
            return ReadPreference.valueOf(mode, java.util.List.of(),
                document.getNumber("maxStalenessSeconds").longValue(), TimeUnit.SECONDS);
        }
        return ReadPreference.valueOf(mode);
    }

    static TransactionOptions transactionOptions(BsonDocument document) {
        TransactionOptions.Builder builder = TransactionOptions.builder();
        for (String key : document.keySet()) {
            switch (key) {
                case "readConcern" -> builder.readConcern(readConcern(document.getDocument(key)));
                case "writeConcern" -> builder.writeConcern(writeConcern(document.getDocument(key)));
                case "readPreference" -> builder.readPreference(readPreference(document.getDocument(key)));
                case "maxCommitTimeMS" -> builder.maxCommitTime(document.getNumber(key).longValue(), TimeUnit.MILLISECONDS);
                case "session" -> { }
                default -> throw new RunnerException("transaction options: unsupported field '" + key + "'");
            }
        }
        return builder.build();
    }
}
