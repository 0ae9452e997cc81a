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
        List<Document> truncatedArrays = new ArrayList<>();
        for (String key : after.keySet()) {
            Object old = before.get(key);
            Object now = after.get(key);
            if (before.containsKey(key) && Objects.equals(old, now)) {
                continue;
            }
            if (old instanceof List<?> oldArray && now instanceof List<?> newArray && sharesPrefix(oldArray, newArray)) {
                // a shortened array is reported as truncated, a lengthened one by its new elements, as MongoDB does
                if (newArray.size() < oldArray.size()) {
                    truncatedArrays.add(new Document("field", key).append("newSize", newArray.size()));
                }
                for (int i = oldArray.size(); i < newArray.size(); i++) {
                    updatedFields.put(key + "." + i, copy(newArray.get(i)));
                }
                continue;
            }
            updatedFields.put(key, copy(now));
        }
        for (String key : before.keySet()) {
            if (!after.containsKey(key)) {
                removedFields.add(key);
            }
        }
        return describe(updatedFields, removedFields, truncatedArrays);
    }

    /** Whether the shorter of the two arrays is the start of the longer one. */
    private static boolean sharesPrefix(List<?> a, List<?> b) {
        int common = Math.min(a.size(), b.size());
        return a.subList(0, common).equals(b.subList(0, common));
    }

    private static Document describe(Document updatedFields, List<String> removedFields) {
        return describe(updatedFields, removedFields, List.of());
    }

    private static Document describe(Document updatedFields, List<String> removedFields, List<Document> truncatedArrays) {
        return new Document("updatedFields", updatedFields)
            .append("removedFields", removedFields)
            .append("truncatedArrays", truncatedArrays);
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
