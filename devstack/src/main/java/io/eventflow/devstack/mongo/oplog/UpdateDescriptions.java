package io.eventflow.devstack.mongo.oplog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Builds a change event's {@code updateDescription} ({@code updatedFields}, {@code removedFields},
 * {@code truncatedArrays}) the way MongoDB reports it: the new values of the paths an update touched.
 */
public final class UpdateDescriptions {

    private static final Set<String> REMOVING_OPERATORS = Set.of("$unset");

    private UpdateDescriptions() {
    }

    /** Whether an update document is a replacement (no update operators). */
    public static boolean isReplacement(Document update) {
        return update.keySet().stream().noneMatch(key -> key.startsWith("$"));
    }

    /**
     * The description of an operator update ({@code $set}, {@code $inc}, {@code $unset}, {@code $push}, ...), with
     * values read from the document after the update.
     */
    public static Document fromOperators(Document update, Document postImage) {
        Set<String> updated = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        for (String operator : update.keySet()) {
            if (!(update.get(operator) instanceof Document fields)) {
                continue;
            }
            for (String field : fields.keySet()) {
                if (REMOVING_OPERATORS.contains(operator)) {
                    removed.add(stripPositional(field));
                } else if ("$rename".equals(operator)) {
                    removed.add(field);
                    updated.add(String.valueOf(fields.get(field)));
                } else {
                    updated.add(stripPositional(field));
                }
            }
        }
        Document updatedFields = new Document();
        for (String path : updated) {
            Object value = Utils.getSubdocumentValue(postImage, path);
            if (!(value instanceof Missing)) {
                updatedFields.put(path, copy(value));
            }
        }
        return describe(updatedFields, new ArrayList<>(removed));
    }

    /** The description of a change computed from the whole document before and after (pipeline updates). */
    public static Document fromDiff(Document before, Document after) {
        Document updatedFields = new Document();
        List<String> removedFields = new ArrayList<>();
        for (String key : after.keySet()) {
            if (!before.containsKey(key) || !Objects.equals(before.get(key), after.get(key))) {
                updatedFields.put(key, copy(after.get(key)));
            }
        }
        for (String key : before.keySet()) {
            if (!after.containsKey(key)) {
                removedFields.add(key);
            }
        }
        return describe(updatedFields, removedFields);
    }

    private static Document describe(Document updatedFields, List<String> removedFields) {
        return new Document("updatedFields", updatedFields)
            .append("removedFields", removedFields)
            .append("truncatedArrays", List.of());
    }

    /** {@code items.$.qty} and {@code items.$[].qty} report the whole array, as the exact element is not known. */
    private static String stripPositional(String path) {
        int positional = path.indexOf(".$");
        return positional < 0 ? path : path.substring(0, positional);
    }

    static Object copy(Object value) {
        return new Document("v", value).cloneDeeply().get("v");
    }
}
