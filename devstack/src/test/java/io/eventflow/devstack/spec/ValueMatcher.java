package io.eventflow.devstack.spec;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonNumber;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * The unified test format's matching rules: extra fields are allowed in root-level documents only, arrays match
 * element by element, numbers match across int32, int64 and double, and the special operators {@code $$exists},
 * {@code $$type}, {@code $$unsetOrMatches}, {@code $$matchesEntity}, {@code $$matchesHexBytes}, {@code $$sessionLsid},
 * {@code $$lte}, {@code $$matchAsDocument} and {@code $$matchAsRoot} apply. A mismatch is an {@link AssertionError}
 * whose message names the path, the expected and the actual value.
 */
final class ValueMatcher {

    private static final Map<String, BsonType> TYPES = Map.ofEntries(
        Map.entry("double", BsonType.DOUBLE), Map.entry("string", BsonType.STRING),
        Map.entry("object", BsonType.DOCUMENT), Map.entry("array", BsonType.ARRAY),
        Map.entry("binData", BsonType.BINARY), Map.entry("undefined", BsonType.UNDEFINED),
        Map.entry("objectId", BsonType.OBJECT_ID), Map.entry("bool", BsonType.BOOLEAN),
        Map.entry("date", BsonType.DATE_TIME), Map.entry("null", BsonType.NULL),
        Map.entry("regex", BsonType.REGULAR_EXPRESSION), Map.entry("dbPointer", BsonType.DB_POINTER),
        Map.entry("javascript", BsonType.JAVASCRIPT), Map.entry("symbol", BsonType.SYMBOL),
        Map.entry("javascriptWithScope", BsonType.JAVASCRIPT_WITH_SCOPE), Map.entry("int", BsonType.INT32),
        Map.entry("timestamp", BsonType.TIMESTAMP), Map.entry("long", BsonType.INT64),
        Map.entry("decimal", BsonType.DECIMAL128), Map.entry("minKey", BsonType.MIN_KEY),
        Map.entry("maxKey", BsonType.MAX_KEY));

    /** Resolves {@code $$matchesEntity} and {@code $$sessionLsid} names. */
    private final Function<String, BsonValue> entityValues;

    ValueMatcher(Function<String, BsonValue> entityValues) {
        this.entityValues = entityValues;
    }

    /** Matches a root-level value (a root document may have extra fields). */
    void matchRoot(String path, BsonValue expected, BsonValue actual) {
        match(path, expected, actual, true);
    }

    /** Matches an iterable result: each element is a root-level document. */
    void matchRootElements(String path, BsonArray expected, List<? extends BsonValue> actual) {
        if (expected.size() != actual.size()) {
            throw mismatch(path, "an array of " + expected.size() + " elements", expected, new BsonArray(List.copyOf(actual)));
        }
        for (int i = 0; i < expected.size(); i++) {
            match(path + "[" + i + "]", expected.get(i), actual.get(i), true);
        }
    }

    /** Matches a nested value (documents must not have extra fields). */
    void matchNested(String path, BsonValue expected, BsonValue actual) {
        match(path, expected, actual, false);
    }

    private void match(String path, BsonValue expected, BsonValue actual, boolean root) {
        if (expected.isDocument()) {
            BsonDocument expectedDocument = expected.asDocument();
            if (isOperator(expectedDocument)) {
                matchOperator(path, expectedDocument, actual, root);
                return;
            }
            if (actual == null || !actual.isDocument()) {
                throw mismatch(path, "a document", expected, actual);
            }
            BsonDocument actualDocument = actual.asDocument();
            for (Map.Entry<String, BsonValue> entry : expectedDocument.entrySet()) {
                String key = entry.getKey();
                String keyPath = path + "." + key;
                BsonValue value = entry.getValue();
                BsonValue actualValue = actualDocument.get(key);
                if (value.isDocument() && isOperator(value.asDocument())) {
                    String operator = value.asDocument().getFirstKey();
                    if (operator.equals("$$exists")) {
                        boolean mustExist = value.asDocument().getBoolean(operator).getValue();
                        if (mustExist != actualDocument.containsKey(key)) {
                            throw mismatch(keyPath, mustExist ? "the field to exist" : "the field to be absent",
                                value, actualValue);
                        }
                        continue;
                    }
                    if (operator.equals("$$unsetOrMatches") && !actualDocument.containsKey(key)) {
                        continue;
                    }
                }
                if (!actualDocument.containsKey(key)) {
                    throw mismatch(keyPath, "the field to exist", value, null);
                }
                match(keyPath, value, actualValue, false);
            }
            if (!root) {
                for (String key : actualDocument.keySet()) {
                    if (!expectedDocument.containsKey(key)) {
                        throw mismatch(path, "no field '" + key + "' in a nested document", expected, actual);
                    }
                }
            }
            return;
        }
        if (expected.isArray()) {
            if (actual == null || !actual.isArray()) {
                throw mismatch(path, "an array", expected, actual);
            }
            BsonArray expectedArray = expected.asArray();
            BsonArray actualArray = actual.asArray();
            if (expectedArray.size() != actualArray.size()) {
                throw mismatch(path, "an array of " + expectedArray.size() + " elements", expected, actual);
            }
            for (int i = 0; i < expectedArray.size(); i++) {
                match(path + "[" + i + "]", expectedArray.get(i), actualArray.get(i), false);
            }
            return;
        }
        if (!scalarEquals(expected, actual)) {
            throw mismatch(path, "an equal value", expected, actual);
        }
    }

    private void matchOperator(String path, BsonDocument operatorDocument, BsonValue actual, boolean root) {
        String operator = operatorDocument.getFirstKey();
        BsonValue argument = operatorDocument.get(operator);
        switch (operator) {
            case "$$type" -> {
                List<BsonValue> names = argument.isArray() ? argument.asArray().getValues() : List.of(argument);
                boolean matches = actual != null && names.stream()
                    .map(name -> typeNamed(name.asString().getValue()))
                    .anyMatch(type -> type == actual.getBsonType());
                if (!matches) {
                    throw mismatch(path, "a value of type " + argument, operatorDocument, actual);
                }
            }
            case "$$unsetOrMatches" -> {
                if (actual != null) {
                    match(path, argument, actual, root);
                }
            }
            case "$$exists" -> {
                if (argument.asBoolean().getValue() != (actual != null)) {
                    throw mismatch(path, "existence " + argument, operatorDocument, actual);
                }
            }
            case "$$matchesEntity" -> match(path, entityValues.apply(argument.asString().getValue()), actual, root);
            case "$$sessionLsid" -> {
                BsonValue lsid = entityValues.apply("lsid:" + argument.asString().getValue());
                if (!lsid.equals(actual)) {
                    throw mismatch(path, "the lsid of session " + argument.asString().getValue(), lsid, actual);
                }
            }
            case "$$matchesHexBytes" -> {
                byte[] bytes = HexFormat.of().parseHex(argument.asString().getValue());
                if (actual == null || !actual.isBinary() || !java.util.Arrays.equals(bytes, actual.asBinary().getData())) {
                    throw mismatch(path, "bytes " + argument.asString().getValue(), operatorDocument, actual);
                }
            }
            case "$$lte" -> {
                if (actual == null || !actual.isNumber() || !argument.isNumber()
                    || actual.asNumber().doubleValue() > argument.asNumber().doubleValue()) {
                    throw mismatch(path, "a number <= " + argument, operatorDocument, actual);
                }
            }
            case "$$matchAsDocument" -> {
                if (actual == null || !actual.isString()) {
                    throw mismatch(path, "an extended JSON string", operatorDocument, actual);
                }
                match(path, argument, BsonDocument.parse(actual.asString().getValue()), false);
            }
            case "$$matchAsRoot" -> match(path, argument, actual, true);
            default -> throw new RunnerException("unknown special matching operator " + operator + " at " + path);
        }
    }

    private static BsonType typeNamed(String name) {
        BsonType type = TYPES.get(name);
        if (type == null) {
            throw new RunnerException("$$type: unknown type name '" + name + "'");
        }
        return type;
    }

    static boolean isOperator(BsonDocument document) {
        return document.size() == 1 && document.getFirstKey().startsWith("$$");
    }

    private static boolean scalarEquals(BsonValue expected, BsonValue actual) {
        if (actual == null) {
            return false;
        }
        if (isFlexibleNumber(expected) && isFlexibleNumber(actual)) {
            return ((BsonNumber) expected).doubleValue() == ((BsonNumber) actual).doubleValue();
        }
        return expected.equals(actual);
    }

    private static boolean isFlexibleNumber(BsonValue value) {
        return value.isInt32() || value.isInt64() || value.isDouble();
    }

    private static AssertionError mismatch(String path, String what, BsonValue expected, BsonValue actual) {
        return new AssertionError("at " + path + ": expected " + what + ": " + render(expected) + ", actual: "
            + (actual == null ? "(absent)" : render(actual)));
    }

    static String render(BsonValue value) {
        if (value == null) {
            return "(absent)";
        }
        String text = value.isDocument() ? value.asDocument().toJson()
            : new BsonDocument("v", value).toJson().replaceFirst("^\\{\"v\": ", "").replaceFirst("}$", "");
        return text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }
}
