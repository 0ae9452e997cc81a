package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;

/**
 * A unique index that also keeps its keys in BSON order, so that queries with equality on a prefix of the keys and a
 * range on the next key ({@code {aggregateId: "a", sequenceNo: {$gte: 5}}}) read only the matching entries, in index
 * order, instead of scanning the collection. mongo-java-server's own unique index is a hash map and serves only
 * full-equality queries.
 */
public final class OrderedUniqueIndex extends MemoryUniqueIndex {

    private static final Set<String> RANGE_OPERATORS = Set.of("$gt", "$gte", "$lt", "$lte");
    private static final Comparator<Object> VALUES = ValueComparator.asc();

    private final TreeMap<KeyValue, Integer> ordered = new TreeMap<>(OrderedUniqueIndex::compareKeys);

    public OrderedUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Integer position) {
        boolean added = super.putKeyPosition(keyValue, position);
        if (added) {
            ordered.put(keyValue, position);
        }
        return added;
    }

    @Override
    protected Integer removeDocument(KeyValue keyValue) {
        ordered.remove(keyValue);
        return super.removeDocument(keyValue);
    }

    @Override
    public synchronized boolean canHandle(Document query) {
        return super.canHandle(query) || plan(query) != null;
    }

    @Override
    public synchronized Iterable<Integer> getPositions(Document query) {
        if (super.canHandle(query)) {
            return super.getPositions(query);
        }
        return positionsInOrder(plan(query), false);
    }

    @Override
    public synchronized void drop() {
        ordered.clear();
        super.drop();
    }

    /**
     * The positions matching a query, in the order given by {@code orderBy}, when this index can produce that order
     * directly; {@code null} otherwise.
     */
    public synchronized List<Integer> orderedPositions(Document query, Document orderBy) {
        Range range = plan(query);
        if (range == null) {
            return null;
        }
        Boolean descending = scanDirection(range.prefixLength(), orderBy);
        return descending == null ? null : positionsInOrder(range, descending);
    }

    /**
     * The positions whose keys lie in {@code [min, max)} in BSON order, as {@code find} with {@code min} and
     * {@code max} selects them.
     */
    public synchronized List<Integer> positionsBetween(KeyValue min, KeyValue max) {
        KeyValue low = min != null ? normalized(min) : bound(List.of(), true);
        KeyValue high = max != null ? normalized(max) : bound(List.of(), false);
        return new ArrayList<>(ordered.subMap(low, true, high, max == null).values());
    }

    public List<String> keyNames() {
        return keys();
    }

    private List<Integer> positionsInOrder(Range range, boolean descending) {
        NavigableMap<KeyValue, Integer> selected = ordered.subMap(range.low(), range.lowInclusive(), range.high(), range.highInclusive());
        Collection<Integer> values = descending ? selected.descendingMap().values() : selected.values();
        return new ArrayList<>(values);
    }

    /** Ascending (false) or descending (true) scan when the sort follows the index after its equality prefix. */
    private Boolean scanDirection(int prefixLength, Document orderBy) {
        if (orderBy == null || orderBy.isEmpty()) {
            return false;
        }
        List<IndexKey> keys = getKeys();
        Boolean descending = null;
        int keyIndex = prefixLength;
        for (String field : orderBy.keySet()) {
            int fieldIndex = keys().indexOf(field);
            if (fieldIndex >= 0 && fieldIndex < prefixLength) {
                continue; // equal on every matched entry: its sort direction does not matter
            }
            if (keyIndex >= keys.size() || !keys.get(keyIndex).getKey().equals(field)) {
                return null;
            }
            boolean ascendingRequested = ((Number) orderBy.get(field)).doubleValue() > 0;
            boolean reversed = ascendingRequested != keys.get(keyIndex).isAscending();
            if (descending != null && descending != reversed) {
                return null;
            }
            descending = reversed;
            keyIndex++;
        }
        return descending == null ? Boolean.FALSE : descending;
    }

    /** Equality on a prefix of the keys, then optionally a range on the next key; {@code null} if not of that shape. */
    private Range plan(Document query) {
        List<String> names = keys();
        List<Object> prefix = new ArrayList<>();
        int i = 0;
        while (i < names.size() && isEquality(query.get(names.get(i)), query.containsKey(names.get(i)))) {
            prefix.add(normalize(query.get(names.get(i))));
            i++;
        }
        Document rangeSpec = null;
        if (i < names.size() && query.get(names.get(i)) instanceof Document spec && isRange(spec)) {
            rangeSpec = spec;
        }
        if (prefix.isEmpty() && rangeSpec == null) {
            return null;
        }
        if (rangeSpec == null) {
            return new Range(prefix.size(), bound(prefix, true), true, bound(prefix, false), true);
        }
        KeyValue low = bound(prefix, true);
        boolean lowInclusive = true;
        KeyValue high = bound(prefix, false);
        boolean highInclusive = true;
        for (String operator : rangeSpec.keySet()) {
            Object value = normalize(rangeSpec.get(operator));
            List<Object> withValue = new ArrayList<>(prefix);
            withValue.add(value);
            switch (operator) {
                case "$gt" -> { low = bound(withValue, false); lowInclusive = false; }
                case "$gte" -> { low = bound(withValue, true); lowInclusive = true; }
                case "$lt" -> { high = bound(withValue, true); highInclusive = false; }
                case "$lte" -> { high = bound(withValue, false); highInclusive = true; }
                default -> throw new IllegalStateException(operator);
            }
        }
        if (compareKeys(low, high) > 0) {
            high = low;
            highInclusive = false;
            lowInclusive = false;
        }
        return new Range(prefix.size(), low, lowInclusive, high, highInclusive);
    }

    private static boolean isEquality(Object value, boolean present) {
        if (!present || value instanceof Collection || BsonRegularExpression.isRegularExpression(value)) {
            return false;
        }
        return !(value instanceof Document document) || document.keySet().stream().noneMatch(key -> key.startsWith("$"));
    }

    private static boolean isRange(Document spec) {
        return !spec.isEmpty() && RANGE_OPERATORS.containsAll(spec.keySet());
    }

    /** A key padded with MinKey (lowest) or MaxKey (highest) for the fields not given. */
    private KeyValue bound(List<Object> given, boolean lowest) {
        List<Object> values = new ArrayList<>(given);
        while (values.size() < keys().size()) {
            values.add(lowest ? MinKey.getInstance() : MaxKey.getInstance());
        }
        return new KeyValue(values);
    }

    private KeyValue normalized(KeyValue key) {
        List<Object> values = new ArrayList<>();
        key.forEach(value -> values.add(normalize(value)));
        return bound(values, true);
    }

    /** The same number normalization mongo-java-server applies to index keys. */
    private static Object normalize(Object value) {
        if (value instanceof Long longValue && (double) longValue.longValue() != longValue) {
            return value;
        }
        if (value instanceof Number number) {
            double doubleValue = number.doubleValue();
            return doubleValue == -0.0 ? 0.0 : doubleValue;
        }
        return value;
    }

    private static int compareKeys(KeyValue a, KeyValue b) {
        int size = Math.min(a.size(), b.size());
        for (int i = 0; i < size; i++) {
            int result = compareValues(a.get(i), b.get(i));
            if (result != 0) {
                return result;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * BSON order. Strings and (normalized) doubles, the common key types, are compared directly, because the
     * library's general comparator, which first ranks the types, dominated the cost of inserts.
     */
    private static int compareValues(Object a, Object b) {
        if (a instanceof String left && b instanceof String right) {
            return left.compareTo(right);
        }
        if (a instanceof Double left && b instanceof Double right && !left.isNaN() && !right.isNaN()) {
            return Double.compare(left, right);
        }
        return VALUES.compare(a, b);
    }

    private record Range(int prefixLength, KeyValue low, boolean lowInclusive, KeyValue high, boolean highInclusive) {
    }
}
