package io.eventflow.devstack.mongo.query;

import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Rewrites a command's filters, pipelines and updates so that mongo-java-server runs them as MongoDB would: the
 * command's {@code let} variables are substituted, and a case-insensitive collation (command- or statement-level)
 * turns string equalities into case-insensitive matches.
 */
public final class CommandRewrites {

    private CommandRewrites() {
    }

    /** The command to run instead; the command itself when it has neither {@code let} nor a collation. */
    @SuppressWarnings("unchecked")
    public static Document apply(String command, Document query) {
        LetVariables let = query.get("let") instanceof Document variables && !variables.isEmpty()
            ? LetVariables.of(variables) : null;
        boolean ignoreCase = CaseInsensitiveCollation.ignoresCase(query.get("collation"));
        boolean statementCollations = hasStatementCollation(query, "updates") || hasStatementCollation(query, "deletes");
        if (let == null && !ignoreCase && !statementCollations) {
            return query;
        }
        Document rewritten = query.clone();
        rewritten.remove("let");
        switch (command) {
            case "find" -> rewriteFilter(rewritten, "filter", let, ignoreCase);
            case "count", "distinct" -> rewriteFilter(rewritten, "query", let, ignoreCase);
            case "findAndModify", "findandmodify" -> {
                rewriteFilter(rewritten, "query", let, ignoreCase);
                substitute(rewritten, "update", let);
            }
            case "aggregate" -> {
                if (rewritten.get("pipeline") instanceof List<?> stages) {
                    List<Object> pipeline = new ArrayList<>();
                    for (Object stage : stages) {
                        Object substituted = let == null ? stage : let.substitute(stage);
                        if (ignoreCase && substituted instanceof Document document && document.get("$match") instanceof Document match) {
                            substituted = new Document("$match", CaseInsensitiveCollation.filter(match));
                        }
                        pipeline.add(substituted);
                    }
                    rewritten.put("pipeline", pipeline);
                }
            }
            case "update" -> rewriteStatements(rewritten, "updates", let, ignoreCase);
            case "delete" -> rewriteStatements(rewritten, "deletes", let, ignoreCase);
            default -> { }
        }
        return rewritten;
    }

    /** A distinct reply under a case-insensitive collation counts strings that differ only in case once. */
    @SuppressWarnings("unchecked")
    public static Document afterDistinct(Document query, Document reply) {
        if (CaseInsensitiveCollation.ignoresCase(query.get("collation")) && reply.get("values") instanceof java.util.Collection<?> values) {
            reply.put("values", CaseInsensitiveCollation.distinct(values));
        }
        return reply;
    }

    private static boolean hasStatementCollation(Document query, String field) {
        return query.get(field) instanceof List<?> statements && statements.stream()
            .anyMatch(statement -> statement instanceof Document document
                && CaseInsensitiveCollation.ignoresCase(document.get("collation")));
    }

    private static void rewriteStatements(Document command, String field, LetVariables let, boolean ignoreCase) {
        if (!(command.get(field) instanceof List<?> statements)) {
            return;
        }
        List<Object> rewritten = new ArrayList<>();
        for (Object statement : statements) {
            if (!(statement instanceof Document document)) {
                rewritten.add(statement);
                continue;
            }
            Document copy = document.clone();
            boolean statementIgnoresCase = ignoreCase || CaseInsensitiveCollation.ignoresCase(copy.get("collation"));
            rewriteFilter(copy, "q", let, statementIgnoresCase);
            substitute(copy, "u", let);
            rewritten.add(copy);
        }
        command.put(field, rewritten);
    }

    private static void rewriteFilter(Document command, String field, LetVariables let, boolean ignoreCase) {
        if (!(command.get(field) instanceof Document filter)) {
            return;
        }
        Object substituted = let == null ? filter : let.substitute(filter);
        command.put(field, ignoreCase ? CaseInsensitiveCollation.filter((Document) substituted) : substituted);
    }

    private static void substitute(Document command, String field, LetVariables let) {
        if (let != null && command.containsKey(field)) {
            command.put(field, let.substitute(command.get(field)));
        }
    }
}
