package io.eventflow.writer.aggregate;

/**
 * A command broke one of the aggregate's rules (for example "an order cannot ship unless confirmed"). Thrown by a
 * command handler; the repository appends nothing and does not retry it.
 */
public class DomainException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DomainException(String message) {
        super(message);
    }
}
