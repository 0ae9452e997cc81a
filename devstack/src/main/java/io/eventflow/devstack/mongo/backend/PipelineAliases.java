package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Rewrites the stage aliases MongoDB 4.2 added ({@code $set}, {@code $replaceWith}) to the stages mongo-java-server
 * knows ({@code $addFields}, {@code $replaceRoot}).
 */
public final class PipelineAliases {

    private PipelineAliases() {
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
                default -> rewritten.add(stage);
            }
        }
        return rewritten;
    }
}
