package io.eventflow.devstack.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

import com.mongodb.client.ClientSession;

/**
 * An operation's {@code arguments}. Every argument must be read by the operation: {@link #requireAllUsed()} fails
 * on one it did not understand, as the format requires, so that an option is never silently dropped.
 */
final class Arguments {

    private final String operation;
    private final BsonDocument arguments;
    private final Entities entities;
    private final Set<String> used = new HashSet<>();

    Arguments(String operation, BsonDocument arguments, Entities entities) {
        this.operation = operation;
        this.arguments = arguments == null ? new BsonDocument() : arguments;
        this.entities = entities;
    }

    boolean has(String name) {
        return arguments.containsKey(name);
    }

    BsonValue value(String name) {
        used.add(name);
        BsonValue value = arguments.get(name);
        if (value == null) {
            throw new RunnerException(operation + ": missing required argument '" + name + "'");
        }
        return value;
    }

    BsonValue optional(String name) {
        used.add(name);
        return arguments.get(name);
    }

    BsonDocument document(String name) {
        return value(name).asDocument();
    }

    BsonDocument optionalDocument(String name) {
        BsonValue value = optional(name);
        return value == null ? null : value.asDocument();
    }

    BsonArray array(String name) {
        return value(name).asArray();
    }

    String string(String name) {
        return value(name).asString().getValue();
    }

    String optionalString(String name) {
        BsonValue value = optional(name);
        return value == null ? null : value.asString().getValue();
    }

    Boolean optionalBoolean(String name) {
        BsonValue value = optional(name);
        return value == null ? null : value.asBoolean().getValue();
    }

    Integer optionalInt(String name) {
        BsonValue value = optional(name);
        return value == null ? null : value.asNumber().intValue();
    }

    Long optionalLong(String name) {
        BsonValue value = optional(name);
        return value == null ? null : value.asNumber().longValue();
    }

    /** The session entity named by {@code session}, or null. */
    ClientSession session() {
        String id = optionalString("session");
        return id == null ? null : entities.session(id).session();
    }

    /** An update: a document of operators or a pipeline (array of stages). */
    static boolean isPipeline(BsonValue update) {
        return update.isArray();
    }

    @SuppressWarnings("unchecked")
    static List<Bson> pipeline(BsonValue stages) {
        return (List<Bson>) (List<?>) stages.asArray().getValues().stream().map(BsonValue::asDocument).toList();
    }

    void requireAllUsed() {
        for (String name : arguments.keySet()) {
            if (!used.contains(name)) {
                throw new RunnerException(operation + ": argument '" + name + "' is not supported by this runner");
            }
        }
    }
}
