package io.eventflow.job.projection.crossaggregate;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/** The keys a cross-aggregate projection returns, checked: they become {@code _id}s and state keys. */
public final class DocumentKeys {

    /** The most documents one event may contribute to. */
    public static final int MAX_KEYS_PER_EVENT = 1_000;
    /** The longest document key. */
    public static final int MAX_KEY_CHARS = 1_024;

    private DocumentKeys() {
    }

    /**
     * The distinct keys, in the order returned.
     *
     * @throws IllegalArgumentException naming the problem when a key is null, empty or too long, or there are too many
     */
    public static Set<String> checked(Collection<String> keys) {
        if (keys == null) {
            throw new IllegalStateException("documentKeys returned null instead of a collection");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String key : keys) {
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("documentKeys returned " + (key == null ? "a null" : "an empty")
                    + " key; a document key must be a non-empty string");
            }
            if (key.length() > MAX_KEY_CHARS) {
                throw new IllegalArgumentException("documentKeys returned a key of " + key.length() + " characters ('"
                    + key.substring(0, 40) + "...'); at most " + MAX_KEY_CHARS + " are allowed");
            }
            distinct.add(key);
            if (distinct.size() > MAX_KEYS_PER_EVENT) {
                throw new IllegalArgumentException("documentKeys returned more than " + MAX_KEYS_PER_EVENT
                    + " keys for one event");
            }
        }
        return distinct;
    }
}
