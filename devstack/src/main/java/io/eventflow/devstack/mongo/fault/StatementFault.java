package io.eventflow.devstack.mongo.fault;

/**
 * What the {@code onPrimaryTransactionalWrite} fail point does to one statement of a retryable write.
 *
 * @param closeConnection        drop the client's connection instead of replying to the command
 * @param failBeforeCommitCode   fail the statement with this code before it is applied, or null to apply it
 */
public record StatementFault(boolean closeConnection, Integer failBeforeCommitCode) {
}
