package io.eventflow.devstack.spec;

import java.util.Locale;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;

/** Checks an error against an {@code expectError} document. */
final class ErrorAssertions {

    private ErrorAssertions() {
    }

    static void check(BsonDocument expected, Throwable error, ValueMatcher matcher) {
        for (String key : expected.keySet()) {
            BsonValue value = expected.get(key);
            switch (key) {
                case "isError" -> { }
                case "isClientError" -> {
                    boolean client = !(error instanceof MongoServerException);
                    if (client != value.asBoolean().getValue()) {
                        throw failure("expected a " + (value.asBoolean().getValue() ? "client" : "server") + " error", error);
                    }
                }
                case "errorContains" -> {
                    String message = String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT);
                    if (!message.contains(value.asString().getValue().toLowerCase(Locale.ROOT))) {
                        throw failure("expected the message to contain '" + value.asString().getValue() + "'", error);
                    }
                }
                case "errorCode" -> {
                    Integer code = code(error);
                    if (code == null || code != value.asNumber().intValue()) {
                        throw failure("expected error code " + value.asNumber().intValue() + ", got " + code, error);
                    }
                }
                case "errorCodeName" -> {
                    String codeName = codeName(error);
                    if (!value.asString().getValue().equals(codeName)) {
                        throw failure("expected code name " + value.asString().getValue() + ", got " + codeName, error);
                    }
                }
                case "errorLabelsContain" -> {
                    for (BsonValue label : value.asArray()) {
                        if (!hasLabel(error, label.asString().getValue())) {
                            throw failure("expected error label " + label.asString().getValue() + ", labels are "
                                + labels(error), error);
                        }
                    }
                }
                case "errorLabelsOmit" -> {
                    for (BsonValue label : value.asArray()) {
                        if (hasLabel(error, label.asString().getValue())) {
                            throw failure("expected no error label " + label.asString().getValue(), error);
                        }
                    }
                }
                case "errorResponse" -> {
                    if (!(error instanceof MongoCommandException command)) {
                        throw failure("expected a server error response", error);
                    }
                    matcher.matchRoot("errorResponse", value, command.getResponse());
                }
                case "expectResult" -> {
                    if (!(error instanceof MongoBulkWriteException bulk)) {
                        throw failure("expected a bulk write error carrying a partial result", error);
                    }
                    matcher.matchRoot("expectError.expectResult", value, WriteResults.of(bulk.getWriteResult()));
                }
                default -> throw new RunnerException("expectError." + key + " is not supported by this runner");
            }
        }
    }

    static Integer code(Throwable error) {
        if (error instanceof MongoBulkWriteException bulk) {
            if (!bulk.getWriteErrors().isEmpty()) {
                return bulk.getWriteErrors().get(0).getCode();
            }
            return bulk.getWriteConcernError() == null ? null : bulk.getWriteConcernError().getCode();
        }
        if (error instanceof MongoWriteException write) {
            return write.getError().getCode();
        }
        if (error instanceof MongoWriteConcernException concern) {
            return concern.getWriteConcernError().getCode();
        }
        if (error instanceof MongoCommandException command) {
            return command.getErrorCode();
        }
        if (error instanceof MongoServerException server) {
            return server.getCode();
        }
        return null;
    }

    static String codeName(Throwable error) {
        if (error instanceof MongoBulkWriteException bulk && bulk.getWriteConcernError() != null) {
            return bulk.getWriteConcernError().getCodeName();
        }
        if (error instanceof MongoWriteConcernException concern) {
            return concern.getWriteConcernError().getCodeName();
        }
        if (error instanceof MongoCommandException command) {
            return command.getErrorCodeName();
        }
        return null;
    }

    private static boolean hasLabel(Throwable error, String label) {
        return error instanceof MongoException mongo && mongo.hasErrorLabel(label);
    }

    private static Object labels(Throwable error) {
        return error instanceof MongoException mongo ? mongo.getErrorLabels() : "none";
    }

    private static AssertionError failure(String what, Throwable error) {
        return new AssertionError("expectError: " + what + "; the error was " + error.getClass().getSimpleName() + ": "
            + error.getMessage(), error);
    }
}
