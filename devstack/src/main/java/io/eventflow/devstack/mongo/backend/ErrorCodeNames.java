package io.eventflow.devstack.mongo.backend;

import java.util.Map;

/** MongoDB's names for the error codes fail points and the emulator raise ({@code codeName} in error replies). */
public final class ErrorCodeNames {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
        Map.entry(1, "InternalError"), Map.entry(2, "BadValue"), Map.entry(6, "HostUnreachable"),
        Map.entry(7, "HostNotFound"), Map.entry(8, "UnknownError"), Map.entry(9, "FailedToParse"),
        Map.entry(11, "UserNotFound"), Map.entry(13, "Unauthorized"), Map.entry(14, "TypeMismatch"),
        Map.entry(20, "IllegalOperation"), Map.entry(24, "LockTimeout"), Map.entry(26, "NamespaceNotFound"),
        Map.entry(43, "CursorNotFound"), Map.entry(48, "NamespaceExists"), Map.entry(50, "MaxTimeMSExpired"),
        Map.entry(59, "CommandNotFound"), Map.entry(63, "StaleShardVersion"), Map.entry(64, "WriteConcernFailed"),
        Map.entry(66, "ImmutableField"), Map.entry(72, "InvalidOptions"), Map.entry(79, "UnknownReplWriteConcern"),
        Map.entry(89, "NetworkTimeout"), Map.entry(91, "ShutdownInProgress"), Map.entry(100, "UnsatisfiableWriteConcern"),
        Map.entry(112, "WriteConflict"), Map.entry(133, "FailedToSatisfyReadPreference"), Map.entry(150, "StaleEpoch"),
        Map.entry(189, "PrimarySteppedDown"), Map.entry(225, "TransactionTooOld"), Map.entry(234, "RetryChangeStream"),
        Map.entry(239, "SnapshotTooOld"), Map.entry(246, "SnapshotUnavailable"), Map.entry(251, "NoSuchTransaction"),
        Map.entry(256, "TransactionCommitted"), Map.entry(260, "InvalidResumeToken"), Map.entry(262, "ExceededTimeLimit"),
        Map.entry(263, "OperationNotSupportedInTransaction"), Map.entry(267, "PreparedTransactionInProgress"),
        Map.entry(280, "ChangeStreamFatalError"), Map.entry(286, "ChangeStreamHistoryLost"),
        Map.entry(9001, "SocketException"), Map.entry(10107, "NotWritablePrimary"), Map.entry(11000, "DuplicateKey"),
        Map.entry(11600, "InterruptedAtShutdown"), Map.entry(11601, "Interrupted"),
        Map.entry(11602, "InterruptedDueToReplStateChange"), Map.entry(13388, "StaleConfig"),
        Map.entry(13435, "NotPrimaryNoSecondaryOk"), Map.entry(13436, "NotPrimaryOrSecondary"),
        Map.entry(40324, "Location40324"));

    private ErrorCodeNames() {
    }

    /** MongoDB's name for the code, or {@code Location<code>} as MongoDB names codes without a name. */
    public static String of(int code) {
        return NAMES.getOrDefault(code, "Location" + code);
    }
}
