package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Read-only views ({@code create} with {@code viewOn} and {@code pipeline}): a read of a view ({@code find},
 * {@code aggregate}, {@code count}, {@code distinct}) is an aggregation of the collection (or view) it is defined on,
 * with the view's pipeline first; a write to a view fails with 166, as on MongoDB.
 */
final class Views {

    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findAndModify", "findandmodify");
    private static final int COMMAND_NOT_SUPPORTED_ON_VIEW = 166;

    /** A view: the collection or view it reads and the stages it applies. */
    record View(String viewOn, List<Document> pipeline) {
    }

    private final Map<String, View> views = new ConcurrentHashMap<>();

    View get(String database, Object collection) {
        return collection instanceof String name ? views.get(database + "." + name) : null;
    }

    @SuppressWarnings("unchecked")
    void create(String database, Document command) {
        String name = String.valueOf(command.get("create"));
        if (!(command.get("viewOn") instanceof String viewOn) || viewOn.isEmpty()) {
            throw MongoErrors.invalidOptions("create: 'viewOn' must be the name of a collection, was "
                + command.get("viewOn"));
        }
        Object pipeline = command.getOrDefault("pipeline", List.of());
        if (!(pipeline instanceof List<?> stages)) {
            throw MongoErrors.invalidOptions("create: 'pipeline' of a view must be an array, was " + pipeline);
        }
        View view = new View(viewOn, new ArrayList<>((List<Document>) stages));
        if (views.putIfAbsent(database + "." + name, view) != null) {
            throw new MongoServerError(48, "NamespaceExists", "Namespace already exists: " + database + "." + name);
        }
    }

    /** The views of a database as {@code listCollections} describes them. */
    List<Document> describe(String database) {
        List<Document> described = new ArrayList<>();
        views.forEach((namespace, view) -> {
            if (namespace.startsWith(database + ".")) {
                described.add(new Document("name", namespace.substring(database.length() + 1)).append("type", "view")
                    .append("options", new Document("viewOn", view.viewOn()).append("pipeline", view.pipeline()))
                    .append("info", new Document("readOnly", true)));
            }
        });
        return described;
    }

    boolean drop(String database, Object collection) {
        return collection instanceof String name && views.remove(database + "." + name) != null;
    }

    void dropDatabase(String database) {
        views.keySet().removeIf(namespace -> namespace.startsWith(database + "."));
    }

    /** Fails a write command aimed at a view. */
    void checkWritable(String database, String command, Document query) {
        if (WRITES.contains(command) && get(database, query.get(command)) != null) {
            throw new MongoServerError(COMMAND_NOT_SUPPORTED_ON_VIEW, "CommandNotSupportedOnView",
                "Namespace " + database + "." + query.get(command) + " is a view, not a collection");
        }
    }

    /**
     * The aggregate command that answers a read of a view; {@code null} when the command is not a read of a view.
     * {@code count} and {@code distinct} become aggregations whose result {@link #reply} turns back.
     */
    @SuppressWarnings("unchecked")
    Document asAggregate(String database, String command, Document query) {
        View view = get(database, query.get(command));
        if (view == null) {
            return null;
        }
        List<Document> pipeline = new ArrayList<>(view.pipeline());
        Document cursor = new Document();
        switch (command) {
            case "aggregate" -> {
                pipeline.addAll((List<Document>) query.getOrDefault("pipeline", List.of()));
                cursor = (Document) query.getOrDefault("cursor", new Document());
            }
            case "find" -> {
                addMatch(pipeline, query.get("filter"));
                if (query.get("sort") instanceof Document sort && !sort.isEmpty()) {
                    pipeline.add(new Document("$sort", sort));
                }
                if (query.get("skip") instanceof Number skip && skip.intValue() > 0) {
                    pipeline.add(new Document("$skip", skip));
                }
                if (query.get("limit") instanceof Number limit && limit.intValue() != 0) {
                    pipeline.add(new Document("$limit", Math.abs(limit.intValue())));
                }
                if (query.get("projection") instanceof Document projection && !projection.isEmpty()) {
                    pipeline.add(new Document("$project", projection));
                }
                if (query.get("batchSize") instanceof Number batchSize) {
                    cursor.put("batchSize", batchSize);
                }
            }
            case "count" -> {
                addMatch(pipeline, query.get("query"));
                if (query.get("skip") instanceof Number skip && skip.intValue() > 0) {
                    pipeline.add(new Document("$skip", skip));
                }
                if (query.get("limit") instanceof Number limit && limit.intValue() != 0) {
                    pipeline.add(new Document("$limit", Math.abs(limit.intValue())));
                }
                pipeline.add(new Document("$count", "n"));
            }
            case "distinct" -> {
                addMatch(pipeline, query.get("query"));
                pipeline.add(new Document("$group", new Document("_id", null)
                    .append("values", new Document("$addToSet", "$" + query.get("key")))));
            }
            default -> {
                return null;
            }
        }
        return new Document("aggregate", view.viewOn()).append("pipeline", pipeline).append("cursor", cursor);
    }

    /** The reply to the original read, from the reply of the aggregation {@link #asAggregate} made of it. */
    Document reply(String database, String command, Document query, Document aggregateReply) {
        List<Document> batch = CursorReplies.firstBatchOf(aggregateReply);
        Document reply;
        switch (command) {
            case "count" -> reply = new Document("n", batch.isEmpty() ? 0 : batch.get(0).get("n"));
            case "distinct" -> reply = new Document("values", batch.isEmpty() ? List.of() : batch.get(0).get("values"));
            default -> {
                Document cursor = (Document) aggregateReply.get("cursor");
                cursor.put("ns", database + "." + query.get(command));
                return aggregateReply;
            }
        }
        Utils.markOkay(reply);
        return reply;
    }

    private static void addMatch(List<Document> pipeline, Object filter) {
        if (filter instanceof Document match && !match.isEmpty()) {
            pipeline.add(new Document("$match", match));
        }
    }
}
