package io.eventflow.devstack.mongo.fault;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.bson.Document;

/**
 * The server's fail points, as {@code configureFailPoint} sets them: {@code failCommand} (at most one is active, as on
 * MongoDB; setting a new one replaces it), {@code onPrimaryTransactionalWrite} and
 * {@code failGetMoreAfterCursorCheckout} (see {@link ServerFailPoint}).
 */
public final class FailPoints {

    private static final Logger log = LoggerFactory.getLogger(FailPoints.class);
    private static final String FAIL_COMMAND = "failCommand";
    /** The fail points this server knows, as {@code configureFailPoint} names them. */
    public static final Set<String> NAMES = Set.of(FAIL_COMMAND, ServerFailPoint.ON_PRIMARY_TRANSACTIONAL_WRITE,
        ServerFailPoint.FAIL_GET_MORE_AFTER_CURSOR_CHECKOUT);

    private FailCommand active;
    private final Map<String, ServerFailPoint> others = new ConcurrentHashMap<>();
    private final AtomicLong triggered = new AtomicLong();

    public synchronized void set(FailCommand failCommand) {
        log.info("fail point set: {}", failCommand);
        active = failCommand;
    }

    /** Turns off the {@code failCommand} fail point. */
    public synchronized void clear() {
        if (active != null) {
            log.info("fail point cleared: {}", active);
        }
        active = null;
    }

    /**
     * Applies a {@code configureFailPoint} command.
     *
     * @throws IllegalArgumentException naming the fail point, field or value that cannot be understood
     */
    public synchronized void configure(Document command) {
        Object name = command.get("configureFailPoint");
        if (FAIL_COMMAND.equals(name)) {
            FailCommand failCommand = FailCommand.fromCommand(command);
            if (failCommand == null) {
                clear();
            } else {
                set(failCommand);
            }
            return;
        }
        if (!(name instanceof String failPoint) || !NAMES.contains(failPoint)) {
            throw new IllegalArgumentException("configureFailPoint: no fail point named '" + name + "'; this server has "
                + NAMES);
        }
        Object mode = command.get("mode");
        if ("off".equals(mode)) {
            ServerFailPoint removed = others.remove(failPoint);
            if (removed != null) {
                log.info("fail point cleared: {}", removed);
            }
            return;
        }
        Document data = command.get("data") instanceof Document document ? document : new Document();
        ServerFailPoint configured = ServerFailPoint.of(failPoint, mode, data);
        others.put(failPoint, configured);
        log.info("fail point set: {}", configured);
    }

    /** How many commands fail points have hit since the server started. */
    public long triggeredCount() {
        return triggered.get();
    }

    /**
     * Consumes one use of the {@code failCommand} fail point if it applies to the command.
     *
     * @return the fault to apply, or {@code null}
     */
    public synchronized FailCommand trigger(String command, String clientAppName) {
        if (active == null || !active.matches(command, clientAppName)) {
            return null;
        }
        FailCommand hit = active;
        if (active.times() != FailCommand.ALWAYS) {
            active = active.times() == 1 ? null : active.withTimes(active.times() - 1);
        }
        triggered.incrementAndGet();
        log.info("fail point hit by '{}': {}", command, hit);
        return hit;
    }

    /** One statement of a retryable write is about to be applied: what {@code onPrimaryTransactionalWrite} does to it. */
    public StatementFault onRetryableWriteStatement() {
        Document data = hit(ServerFailPoint.ON_PRIMARY_TRANSACTIONAL_WRITE);
        if (data == null) {
            return null;
        }
        boolean closeConnection = !Boolean.FALSE.equals(data.get("closeConnection"));
        Integer code = data.get("failBeforeCommitExceptionCode") instanceof Number number ? number.intValue() : null;
        return new StatementFault(closeConnection, code);
    }

    /** A getMore checked out its cursor: what {@code failGetMoreAfterCursorCheckout} does to it. */
    public GetMoreFault onGetMore() {
        Document data = hit(ServerFailPoint.FAIL_GET_MORE_AFTER_CURSOR_CHECKOUT);
        if (data == null) {
            return null;
        }
        Integer code = data.get("errorCode") instanceof Number number ? number.intValue() : null;
        return new GetMoreFault(Boolean.TRUE.equals(data.get("closeConnection")), code);
    }

    private Document hit(String name) {
        if (others.isEmpty()) {
            return null;
        }
        synchronized (this) {
            ServerFailPoint failPoint = others.get(name);
            if (failPoint == null) {
                return null;
            }
            Document data = failPoint.hit();
            if (failPoint.exhausted()) {
                others.remove(name, failPoint);
            }
            if (data != null) {
                triggered.incrementAndGet();
                log.info("fail point {} hit", failPoint);
            }
            return data;
        }
    }
}
