package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Rewrites the stage aliases MongoDB 4.2 added ({@code $set}, {@code $replaceWith}) to the stages mongo-java-server
 * knows ({@code $addFields}, {@code $replaceRoot}), and computed dotted paths of {@code $project} to nested fields.
 */
public final class PipelineAliases {

    private PipelineAliases() {
    }

    /**
     * {@code {"a.b": <expression>}} in a {@code $project} becomes {@code {a: {b: <expression>}}}, which
     * mongo-java-server evaluates; it drops a computed dotted path. Inclusions and exclusions stay as they are.
     */
    static Document nestComputedPaths(Document fields) {
        Document result = new Document();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String path = field.getKey();
            Object value = field.getValue();
            boolean computed = !(value instanceof Number || value instanceof Boolean);
            if (!computed || !path.contains(".") || path.startsWith("$")) {
                result.put(path, value);
                continue;
            }
            Document parent = result;
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                Document nested = parent.get(parts[i]) instanceof Document existing ? existing : new Document();
                parent.put(parts[i], nested);
                parent = nested;
            }
            parent.put(parts[parts.length - 1], value);
        }
        return result;
    }

    public static List<Document> rewrite(List<Document> pipeline) {
        List<Document> rewritten = new ArrayList<>(pipeline.size());
        for (Document stage : pipeline) {
            if (stage.size() != 1) {
                rewritten.add(stage);
                continue;
            }
            String name = stage.keySet().iterator().next();
            Object spec = stage.get(name);
            switch (name) {
                case "$set" -> rewritten.add(new Document("$addFields", spec));
                case "$replaceWith" -> rewritten.add(new Document("$replaceRoot", new Document("newRoot", spec)));
                case "$project" -> rewritten.add(new Document("$project", spec instanceof Document fields
                    ? nestComputedPaths(fields) : spec));
                default -> rewritten.add(stage);
            }
        }
        return rewritten;
    }
}
