package io.eventflow.devstack.mongo.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The part of collations the emulator supports: strength 1 or 2 (comparisons that ignore case), applied to string
 * equality in filters, which become case-insensitive anchored regular expressions. Any other collation is ignored,
 * which is exact for strength 3 and the default (binary) comparison of plain ASCII text.
 */
final class CaseInsensitiveCollation {

    private CaseInsensitiveCollation() {
    }

    /** Whether the collation compares strings ignoring case. */
    static boolean ignoresCase(Object collation) {
        return collation instanceof Document document && document.get("strength") instanceof Number strength
            && strength.intValue() <= 2;
    }

    /** The filter with its string equalities made case-insensitive. */
    static Document filter(Document filter) {
        Document result = new Document();
        for (Map.Entry<String, Object> condition : filter.entrySet()) {
            String key = condition.getKey();
            Object value = condition.getValue();
            if ((key.equals("$and") || key.equals("$or") || key.equals("$nor")) && value instanceof List<?> clauses) {
                List<Object> rewritten = new ArrayList<>();
                for (Object clause : clauses) {
                    rewritten.add(clause instanceof Document document ? filter(document) : clause);
                }
                result.put(key, rewritten);
            } else if (key.startsWith("$")) {
                result.put(key, value);
            } else if (value instanceof String text) {
                result.put(key, ignoringCase(text));
            } else if (value instanceof Document operators && operators.size() == 1 && operators.get("$eq") instanceof String text) {
                result.put(key, ignoringCase(text));
            } else {
                result.put(key, value);
            }
        }
        return result;
    }

    /** The distinct values, strings that differ only in case counted once (the first one seen is kept). */
    static List<Object> distinct(java.util.Collection<?> values) {
        List<Object> result = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof String text) {
                String folded = text.toLowerCase(Locale.ROOT);
                if (seen.contains(folded)) {
                    continue;
                }
                seen.add(folded);
            }
            result.add(value);
        }
        return result;
    }

    private static BsonRegularExpression ignoringCase(String text) {
        return new BsonRegularExpression("^" + Pattern.quote(text) + "$", "i");
    }
}
