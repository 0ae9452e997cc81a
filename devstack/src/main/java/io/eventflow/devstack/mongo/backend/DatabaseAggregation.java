package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;

import io.eventflow.devstack.mongo.oplog.ReplicationLog;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.aggregation.Expression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * {@code aggregate: 1}, a pipeline that starts from a stage producing documents rather than from a collection:
 * {@code $documents} (literal documents) or {@code $listLocalSessions} (the sessions this server knows). The rest of
 * the pipeline, {@code $out} and {@code $merge} included, is mongo-java-server's.
 */
final class DatabaseAggregation {

    private DatabaseAggregation() {
    }

    static Document run(String database, Document query, List<Document> pipeline, List<Document> sessions,
                        DatabaseResolver resolver, CompatDatabase compatDatabase, ReplicationLog oplog,
                        CursorBatches cursorBatches) {
        checkReadConcern(query, pipeline);
        if (pipeline.isEmpty()) {
            throw MongoErrors.invalidOptions("aggregate on a database needs a first stage that produces documents, "
                + "such as $documents or $listLocalSessions");
        }
        Document first = pipeline.get(0);
        String stage = first.keySet().iterator().next();
        List<Document> source = switch (stage) {
            case "$documents" -> documents(first.get(stage));
            case "$listLocalSessions" -> withOwnSession(sessions, query.get("lsid"));
            default -> throw new MongoServerError(73, "InvalidNamespace", "{aggregate: 1} is not valid for '" + stage
                + "'; a collection name is required (the emulator supports $documents and $listLocalSessions)");
        };
        List<Document> rest = PipelineAliases.rewrite(pipeline.subList(1, pipeline.size()));
        List<Document> result = rest.isEmpty() ? source
            : Aggregation.fromPipeline(rest, resolver, compatDatabase, null, oplog).runStages(source.stream());
        boolean writes = !rest.isEmpty() && (rest.get(rest.size() - 1).containsKey("$out")
            || rest.get(rest.size() - 1).containsKey("$merge"));
        return cursorBatches.firstBatch(database + ".$cmd.aggregate", writes ? List.of() : result,
            CursorBatches.requestedBatchSize(query));
    }

    /** {@code $out} and {@code $merge} cannot read with a linearizable read concern, as on MongoDB. */
    static void checkReadConcern(Document query, List<Document> pipeline) {
        if (pipeline.isEmpty() || !(query.get("readConcern") instanceof Document readConcern)
            || !"linearizable".equals(readConcern.get("level"))) {
            return;
        }
        Document last = pipeline.get(pipeline.size() - 1);
        if (last.containsKey("$out") || last.containsKey("$merge")) {
            throw MongoErrors.invalidOptions("{readConcern: {level: \"linearizable\"}} is not supported with "
                + (last.containsKey("$out") ? "$out" : "$merge"));
        }
    }

    private static List<Document> documents(Object specification) {
        Object evaluated = Expression.evaluateDocument(specification, new Document());
        if (!(evaluated instanceof List<?> list)) {
            throw new MongoServerError(5858203, "an array is expected for $documents, was " + evaluated);
        }
        List<Document> result = new ArrayList<>();
        for (Object element : list) {
            if (!(element instanceof Document document)) {
                throw new MongoServerError(40228, "$documents elements must be objects, was " + element);
            }
            result.add(document);
        }
        return result;
    }

    private static List<Document> withOwnSession(List<Document> sessions, Object ownLsid) {
        List<Document> result = new ArrayList<>(sessions);
        if (ownLsid instanceof Document lsid
            && result.stream().noneMatch(session -> lsid.get("id").equals(((Document) session.get("_id")).get("id")))) {
            result.add(new Document("_id", lsid.clone()));
        }
        return result;
    }
}
