package io.eventflow.devstack.mongo.update;

import java.util.Map;

import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.aggregation.Expression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The aggregation expressions MongoDB 5.0 added for field names with dots and dollars, which mongo-java-server lacks:
 * {@code $setField}, {@code $unsetField} and {@code $getField}. Everything else is evaluated by mongo-java-server.
 */
final class ExtendedExpressions {

    private static final String REMOVE = "$$REMOVE";

    private ExtendedExpressions() {
    }

    /** Whether the expression (anywhere inside) uses one of the expressions this class adds. */
    static boolean needed(Object expression) {
        if (expression instanceof Document document) {
            for (Map.Entry<String, Object> entry : document.entrySet()) {
                if (entry.getKey().equals("$setField") || entry.getKey().equals("$unsetField")
                    || entry.getKey().equals("$getField") || needed(entry.getValue())) {
                    return true;
                }
            }
        } else if (expression instanceof java.util.List<?> list) {
            return list.stream().anyMatch(ExtendedExpressions::needed);
        }
        return false;
    }

    static Object evaluate(Object expression, Document root) {
        if (expression instanceof String text) {
            if (text.equals("$$ROOT") || text.equals("$$CURRENT")) {
                return root;
            }
            return Expression.evaluateDocument(text, root);
        }
        if (!(expression instanceof Document document)) {
            return expression;
        }
        if (document.size() == 1) {
            String operator = document.keySet().iterator().next();
            Object argument = document.get(operator);
            switch (operator) {
                case "$literal" -> {
                    return argument;
                }
                case "$setField", "$unsetField" -> {
                    Document spec = specOf(operator, argument);
                    Document input = inputOf(operator, spec, root);
                    Document result = input.clone();
                    String field = fieldOf(operator, spec, root);
                    Object value = operator.equals("$unsetField") ? REMOVE : evaluate(spec.get("value"), root);
                    if (REMOVE.equals(value) || value instanceof Missing) {
                        result.remove(field);
                    } else {
                        result.put(field, value);
                    }
                    return result;
                }
                case "$getField" -> {
                    if (argument instanceof String field) {
                        return root.getOrDefault(field, Missing.getInstance());
                    }
                    Document spec = specOf(operator, argument);
                    Document input = spec.containsKey("input") ? inputOf(operator, spec, root) : root;
                    return input.getOrDefault(fieldOf(operator, spec, root), Missing.getInstance());
                }
                default -> {
                    if (!needed(document)) {
                        return Expression.evaluateDocument(document, root);
                    }
                }
            }
        }
        Document result = new Document();
        for (Map.Entry<String, Object> entry : document.entrySet()) {
            Object value = evaluate(entry.getValue(), root);
            if (!(value instanceof Missing)) {
                result.put(entry.getKey(), value);
            }
        }
        return result;
    }

    private static Document specOf(String operator, Object argument) {
        if (!(argument instanceof Document spec)) {
            throw MongoErrors.failedToParse(operator + " only supports an object as its argument, was " + argument);
        }
        return spec;
    }

    private static Document inputOf(String operator, Document spec, Document root) {
        Object input = evaluate(spec.get("input"), root);
        if (!(input instanceof Document document)) {
            throw MongoErrors.typeMismatch(operator + " requires 'input' to evaluate to type Object, was " + input);
        }
        return document;
    }

    private static String fieldOf(String operator, Document spec, Document root) {
        Object field = evaluate(spec.get("field"), root);
        if (!(field instanceof String name)) {
            throw MongoErrors.typeMismatch(operator + " requires 'field' to evaluate to type String, was " + field);
        }
        return name;
    }
}
