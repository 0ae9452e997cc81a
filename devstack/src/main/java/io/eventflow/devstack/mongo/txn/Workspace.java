package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.eventflow.devstack.mongo.oplog.OplogEntry;

import de.bwaldvogel.mongo.bson.Document;

/**
 * What a transaction has written and nobody else sees yet: per namespace, the latest version of each document it
 * inserted, updated or deleted (a deleted document maps to {@code null}), and the oplog entries of its statements in
 * statement order, appended together at commit.
 */
final class Workspace {

    private final Map<String, Map<Object, Document>> documents = new LinkedHashMap<>();
    private final List<OplogEntry> entries = new ArrayList<>();
    private final List<Runnable> namespaceChanges = new ArrayList<>();

    boolean touches(String namespace) {
        return documents.containsKey(namespace);
    }

    /** The transaction's versions of documents of the namespace, by {@code _id}; {@code null} values are deletions. */
    Map<Object, Document> overlay(String namespace) {
        return documents.getOrDefault(namespace, Map.of());
    }

    void write(String namespace, Object id, Document document) {
        documents.computeIfAbsent(namespace, ns -> new LinkedHashMap<>()).put(id, document);
    }

    void record(OplogEntry entry) {
        entries.add(entry);
    }

    /**
     * A collection or index the transaction creates: visible to others only at commit, where it runs before the
     * writes.
     */
    void deferNamespaceChange(String namespace, Runnable change) {
        documents.computeIfAbsent(namespace, ns -> new LinkedHashMap<>());
        namespaceChanges.add(change);
    }

    List<Runnable> namespaceChanges() {
        return namespaceChanges;
    }

    Set<String> namespaces() {
        return documents.keySet();
    }

    List<OplogEntry> entries() {
        return entries;
    }

    boolean isEmpty() {
        return documents.isEmpty();
    }

    void clear() {
        documents.clear();
        entries.clear();
        namespaceChanges.clear();
    }
}
