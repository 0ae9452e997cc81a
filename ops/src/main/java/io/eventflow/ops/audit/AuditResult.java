package io.eventflow.ops.audit;

import java.util.List;

/**
 * What one audit of one read model found.
 *
 * @param readModel the read model's name, such as {@code orders}
 * @param collection the collection audited (the alias target)
 * @param aggregates how many aggregates of the store the read model should hold
 * @param drifts the aggregates still drifting after the rechecks, at most the audit's report limit
 * @param driftCount how many aggregates drift in all
 */
public record AuditResult(String readModel, String collection, long aggregates, List<Drift> drifts, long driftCount) {

    public boolean clean() {
        return driftCount == 0;
    }
}
