package io.eventflow.devstack.mongo.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import de.bwaldvogel.mongo.backend.aggregation.Expression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A command's {@code let} variables: each {@code $$name} (or {@code $$name.path}) in a filter, pipeline or update is
 * replaced by the variable's value as a {@code $literal}, which is what mongo-java-server understands.
 */
final class LetVariables {

    private final Map<String, Object> values;

    private LetVariables(Map<String, Object> values) {
        this.values = values;
    }

    /** The variables of a {@code let} document; each value is an expression evaluated once. */
    static LetVariables of(Document let) {
        Document values = new Document();
        for (Map.Entry<String, Object> variable : let.entrySet()) {
            values.put(variable.getKey(), evaluate(variable.getValue()));
        }
        return new LetVariables(values);
    }

    private static Object evaluate(Object expression) {
        if (expression instanceof Document document && document.size() == 1 && document.containsKey("$rand")) {
            return ThreadLocalRandom.current().nextDouble();
        }
        return Expression.evaluateDocument(expression, new Document());
    }

    /** The value with every reference to a variable replaced; the input is not changed. */
    Object substitute(Object value) {
        if (value instanceof String text && text.startsWith("$$")) {
            String reference = text.substring(2);
            int dot = reference.indexOf('.');
            String name = dot < 0 ? reference : reference.substring(0, dot);
            if (!values.containsKey(name)) {
                return value;
            }
            Object variable = values.get(name);
            if (dot >= 0 && variable instanceof Document document) {
                variable = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValue(document, reference.substring(dot + 1));
            }
            return new Document("$literal", variable);
        }
        if (value instanceof Document document) {
            Document result = new Document();
            for (Map.Entry<String, Object> entry : document.entrySet()) {
                result.put(entry.getKey(), substitute(entry.getValue()));
            }
            return result;
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>(list.size());
            for (Object element : list) {
                result.add(substitute(element));
            }
            return result;
        }
        return value;
    }
}
