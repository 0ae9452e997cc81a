package io.eventflow.devstack.mongo.fault;

import de.bwaldvogel.mongo.bson.Document;

/**
 * One of MongoDB's fail points other than {@code failCommand}, as set by {@code configureFailPoint}: its name, its
 * mode ({@code alwaysOn}, {@code {times: n}} or {@code {skip: n}}) and its {@code data}.
 *
 * <ul>
 *   <li>{@link #ON_PRIMARY_TRANSACTIONAL_WRITE}: hit once per statement of a retryable write. {@code closeConnection}
 *       (true unless given as false) drops the client's connection instead of replying, after the statement was
 *       applied; {@code failBeforeCommitExceptionCode} fails the statement with that code before it is applied.</li>
 *   <li>{@link #FAIL_GET_MORE_AFTER_CURSOR_CHECKOUT}: a {@code getMore} fails with {@code errorCode} (or drops the
 *       connection with {@code closeConnection: true}) after it checked out its cursor, so the error carries the
 *       labels the server gives errors of a running getMore.</li>
 * </ul>
 */
final class ServerFailPoint {

    static final String ON_PRIMARY_TRANSACTIONAL_WRITE = "onPrimaryTransactionalWrite";
    static final String FAIL_GET_MORE_AFTER_CURSOR_CHECKOUT = "failGetMoreAfterCursorCheckout";

    private final String name;
    private final Document data;
    private int remainingTimes;
    private int remainingSkips;

    private ServerFailPoint(String name, Document data, int times, int skips) {
        this.name = name;
        this.data = data;
        this.remainingTimes = times;
        this.remainingSkips = skips;
    }

    /**
     * @param mode {@code "alwaysOn"}, {@code {times: n}} or {@code {skip: n}} (on after n hits)
     * @throws IllegalArgumentException naming the mode when it is none of these
     */
    static ServerFailPoint of(String name, Object mode, Document data) {
        if ("alwaysOn".equals(mode)) {
            return new ServerFailPoint(name, data, FailCommand.ALWAYS, 0);
        }
        if (mode instanceof Document document && document.get("times") instanceof Number times) {
            return new ServerFailPoint(name, data, times.intValue(), 0);
        }
        if (mode instanceof Document document && document.get("skip") instanceof Number skip) {
            return new ServerFailPoint(name, data, FailCommand.ALWAYS, skip.intValue());
        }
        throw new IllegalArgumentException("configureFailPoint " + name + ": mode must be 'off', 'alwaysOn', {times: n} "
            + "or {skip: n}, was " + mode);
    }

    String name() {
        return name;
    }

    /** Consumes one hit; returns the fail point's data when it fires, else null. */
    Document hit() {
        if (remainingSkips > 0) {
            remainingSkips--;
            return null;
        }
        if (remainingTimes == 0) {
            return null;
        }
        if (remainingTimes != FailCommand.ALWAYS) {
            remainingTimes--;
        }
        return data;
    }

    boolean exhausted() {
        return remainingTimes == 0;
    }

    @Override
    public String toString() {
        return name + "{times=" + (remainingTimes == FailCommand.ALWAYS ? "always" : remainingTimes)
            + (remainingSkips > 0 ? ", skip=" + remainingSkips : "") + ", data=" + data + "}";
    }
}
