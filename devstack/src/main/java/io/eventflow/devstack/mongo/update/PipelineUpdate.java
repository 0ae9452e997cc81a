package io.eventflow.devstack.mongo.update;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;
import io.eventflow.devstack.mongo.backend.MongoErrors;
import io.eventflow.devstack.mongo.backend.PipelineAliases;
import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.oplog.UpdateDescriptions;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * One update statement whose update is an aggregation pipeline ({@code u: [{$set: ...}, ...]}), evaluated atomically
 * per document under the collection's lock, upsert included. Supported stages: {@code $set}/{@code $addFields},
 * {@code $unset}, {@code $project}, {@code $replaceWith}/{@code $replaceRoot}; expressions are mongo-java-server's
 * ({@code $cond}, {@code $ifNull}, comparisons, {@code $literal}, {@code $$ROOT}, ...).
 *
 * <p>A version-guarded upsert, the way read models are written, looks like this: {@code q: {_id: X}, upsert: true,
 * u: [{$replaceWith: {$cond: [{$lt: [{$ifNull: ["$lastSequenceNo", 0]}, N]}, {$literal: newDoc}, "$$ROOT"]}}]}.
 */
public final class PipelineUpdate {

    private static final Set<String> ALLOWED_STAGES = Set.of("$set", "$addFields", "$unset", "$project",
        "$replaceWith", "$replaceRoot");

    private final Document filter;
    private final List<UnaryOperator<Document>> stages;
    private final boolean multi;
    private final boolean upsert;

    private PipelineUpdate(Document filter, List<UnaryOperator<Document>> stages, boolean multi, boolean upsert) {
        this.filter = filter;
        this.stages = stages;
        this.multi = multi;
        this.upsert = upsert;
    }

    /** Parses a statement of an update command whose {@code u} is a list of stages. */
    public static PipelineUpdate parse(Document statement, List<Document> stages, DatabaseResolver resolver,
                                       CompatDatabase database, ReplicationLog log) {
        for (Document stage : stages) {
            String name = stage.keySet().iterator().next();
            if (stage.size() != 1 || !ALLOWED_STAGES.contains(name)) {
                throw MongoErrors.invalidOptions(name + " is not allowed to be used within an update");
            }
        }
        if (statement.containsKey("arrayFilters")) {
            throw MongoErrors.failedToParse("arrayFilters may not be specified for pipeline-style updates");
        }
        List<UnaryOperator<Document>> steps = new ArrayList<>();
        if (!ExtendedExpressions.needed(stages)) {
            Aggregation aggregation = Aggregation.fromPipeline(PipelineAliases.rewrite(stages), resolver, database, null, log);
            steps.add(document -> single(aggregation.runStages(Stream.of(document))));
        } else {
            for (Document stage : stages) {
                steps.add(step(stage, resolver, database, log));
            }
        }
        return new PipelineUpdate((Document) statement.getOrDefault("q", new Document()), steps,
            Utils.isTrue(statement.get("multi")), Utils.isTrue(statement.get("upsert")));
    }

    /** One stage: mongo-java-server's, or evaluated here when it uses $setField, $unsetField or $getField. */
    private static UnaryOperator<Document> step(Document stage, DatabaseResolver resolver, CompatDatabase database,
                                                ReplicationLog log) {
        String name = stage.keySet().iterator().next();
        Object spec = stage.get(name);
        if (!ExtendedExpressions.needed(spec)) {
            Aggregation aggregation = Aggregation.fromPipeline(PipelineAliases.rewrite(List.of(stage)), resolver, database,
                null, log);
            return document -> single(aggregation.runStages(Stream.of(document)));
        }
        return switch (name) {
            case "$replaceWith" -> document -> asDocument(ExtendedExpressions.evaluate(spec, document), name);
            case "$replaceRoot" -> document -> asDocument(
                ExtendedExpressions.evaluate(((Document) spec).get("newRoot"), document), name);
            case "$set", "$addFields" -> document -> {
                Document result = document.cloneDeeply();
                for (Map.Entry<String, Object> field : ((Document) spec).entrySet()) {
                    Utils.changeSubdocumentValue(result, field.getKey(),
                        ExtendedExpressions.evaluate(field.getValue(), document));
                }
                return result;
            };
            default -> throw MongoErrors.invalidOptions("$setField, $unsetField and $getField are supported in $set, "
                + "$addFields, $replaceWith and $replaceRoot of an update pipeline, not in " + name);
        };
    }

    private static Document asDocument(Object value, String stage) {
        if (!(value instanceof Document document)) {
            throw new de.bwaldvogel.mongo.exception.MongoServerError(40228,
                "'newRoot' expression must evaluate to an object, but resulting value was: " + value + " in " + stage);
        }
        return document;
    }

    private static Document single(List<Document> result) {
        if (result.size() != 1) {
            throw MongoErrors.internal("update pipeline produced " + result.size() + " documents instead of one");
        }
        return result.get(0);
    }

    /**
     * Applies the statement.
     *
     * @return {@code {n, nModified, upserted?}} as mongo-java-server's collections report it
     */
    public Document apply(CompatCollection collection, Consumer<OplogEntry> log) {
        synchronized (collection) {
            List<Document> matches = new ArrayList<>();
            for (Document document : collection.handleQuery(new QueryParameters(new Document("$query", filter), 0, multi ? 0 : 1))) {
                matches.add(document);
            }
            if (matches.isEmpty() && upsert) {
                return upsert(collection, log);
            }
            int modified = 0;
            for (Document stored : matches) {
                Document before = stored.cloneDeeply();
                Document after = withId(evaluate(before.cloneDeeply()), before.get("_id"));
                if (after.equals(before)) {
                    continue;
                }
                collection.replaceWhole(stored, after);
                log.accept(OplogEntry.pending(OperationKind.UPDATE, collection.getDatabaseName(),
                    collection.getCollectionName(), before.get("_id"), null, UpdateDescriptions.fromDiff(before, after), null));
                modified++;
            }
            return result(matches.size(), modified, null);
        }
    }

    private Document upsert(CompatCollection collection, Consumer<OplogEntry> log) {
        Document seed = equalityFields(filter);
        Document inserted = evaluate(seed.cloneDeeply());
        if (seed.containsKey("_id") && !Objects.equals(seed.get("_id"), inserted.get("_id"))) {
            throw MongoErrors.immutableId();
        }
        if (!inserted.containsKey("_id")) {
            Document withId = new Document("_id", new ObjectId());
            withId.putAll(inserted);
            inserted = withId;
        }
        collection.addDocument(inserted);
        log.accept(OplogEntry.pending(OperationKind.INSERT, collection.getDatabaseName(), collection.getCollectionName(),
            inserted.get("_id"), inserted.cloneDeeply(), null, null));
        return result(0, 0, inserted.get("_id"));
    }

    private Document evaluate(Document document) {
        Document current = document;
        for (UnaryOperator<Document> stage : stages) {
            current = stage.apply(current);
        }
        return current;
    }

    /** The result keeps the document's _id: one the pipeline dropped comes back first, one it changed is an error. */
    private static Document withId(Document after, Object id) {
        if (!after.containsKey("_id")) {
            Document withId = new Document("_id", id);
            withId.putAll(after);
            return withId;
        }
        if (!Objects.equals(after.get("_id"), id)) {
            throw MongoErrors.immutableId();
        }
        return after;
    }

    /** The fields an upsert starts from: the filter's equality conditions, as MongoDB derives them. */
    @SuppressWarnings("unchecked")
    static Document equalityFields(Document filter) {
        Document seed = new Document();
        for (Map.Entry<String, Object> condition : filter.entrySet()) {
            String key = condition.getKey();
            Object value = condition.getValue();
            if (key.equals("$and") && value instanceof List<?> clauses) {
                for (Object clause : clauses) {
                    seed.putAll(equalityFields((Document) clause));
                }
            } else if (key.startsWith("$") || BsonRegularExpression.isRegularExpression(value)) {
                continue;
            } else if (value instanceof Document operators && operators.keySet().stream().anyMatch(k -> k.startsWith("$"))) {
                if (operators.size() == 1 && operators.containsKey("$eq")) {
                    Utils.changeSubdocumentValue(seed, key, operators.get("$eq"));
                }
            } else {
                Utils.changeSubdocumentValue(seed, key, value);
            }
        }
        return seed;
    }

    private static Document result(int matched, int modified, Object upsertedId) {
        Document result = new Document("n", matched).append("nModified", modified);
        if (upsertedId != null) {
            result.append("upserted", upsertedId);
        }
        return result;
    }
}
