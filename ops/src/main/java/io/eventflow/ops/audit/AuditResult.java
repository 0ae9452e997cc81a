package io.eventflow.ops.audit;

import java.util.List;

/**
 * What one audit of one read model found.
 *
 * @param readModel  the read model's name, such as {@code orders}
 * @param collection the collection audited (the alias target)
 * @param documents  how many documents the store says the read model should hold (of those checked)
 * @param drifts     the documents still drifting after the rechecks, at most the audit's report limit
 * @param driftCount how many documents drift in all
 */
public record AuditResult(String readModel, String collection, long documents, List<Drift> drifts, long driftCount) {

    public boolean clean() {
        return driftCount == 0;
    }
}
