package io.eventflow.writer.testdomain;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.writer.aggregate.AggregateDefinition;
import io.eventflow.writer.aggregate.DomainException;

/**
 * The writer's own test aggregate: a bank account, opened, credited, debited (never below zero), annotated and closed
 * (only when empty). Small, but with what the repository must handle: rules, events that carry data, one that does
 * not change much ({@link Noted}, for races and snapshots), and a schema history ({@link Opened} v1 had no currency).
 *
 * @param notes how many notes were added
 */
public record Account(String id, Status status, String owner, String currency, BigDecimal balance, int notes) {

    public enum Status { NEW, OPEN, CLOSED }

    public sealed interface Event permits Opened, Credited, Debited, Noted, Closed {
    }

    /** {@code AccountOpened} v2; v1 had no currency, {@link #UPCASTERS} adds EUR. */
    public record Opened(String owner, String currency) implements Event {
    }

    public record Credited(BigDecimal amount) implements Event {
    }

    public record Debited(BigDecimal amount) implements Event {
    }

    public record Noted(String note) implements Event {
    }

    public record Closed() implements Event {
    }

    public sealed interface Command {
        record Open(String owner, String currency) implements Command {
        }

        record Credit(BigDecimal amount) implements Command {
        }

        record Debit(BigDecimal amount) implements Command {
        }

        record Note(String note) implements Command {
        }

        record Close() implements Command {
        }
    }

    /** A command the account refuses. */
    public static final class RuleViolation extends DomainException {
        private static final long serialVersionUID = 1L;

        RuleViolation(String id, Status status, String rule) {
            super("account " + id + " (" + status + "): " + rule);
        }
    }

    public static final String TYPE = "Account";
    public static final String OPENED = "AccountOpened";

    public static final Upcasters UPCASTERS = Upcasters.builder()
        .register(OPENED, 1, payload -> payload.has("currency") ? payload : ((ObjectNode) payload).put("currency", "EUR"))
        .build();

    public static final AggregateDefinition<Account, Command, Event> DEFINITION =
        AggregateDefinition.<Account, Command, Event>builder(TYPE)
            .initialState(Account::initial)
            .evolve(Account::apply)
            .decide(Account::decide)
            .event(OPENED, Opened.class)
            .event("AccountCredited", Credited.class)
            .event("AccountDebited", Debited.class)
            .event("AccountNoted", Noted.class)
            .event("AccountClosed", Closed.class)
            .snapshots(Account.class, 1)
            .build();

    public Account {
        balance = balance == null ? BigDecimal.ZERO : balance;
    }

    public static Account initial(String id) {
        return new Account(id, Status.NEW, null, null, BigDecimal.ZERO, 0);
    }

    public Account apply(Event event) {
        if (event instanceof Opened opened) {
            return new Account(id, Status.OPEN, opened.owner(), opened.currency(), balance, notes);
        }
        if (event instanceof Credited credited) {
            return new Account(id, status, owner, currency, balance.add(credited.amount()), notes);
        }
        if (event instanceof Debited debited) {
            return new Account(id, status, owner, currency, balance.subtract(debited.amount()), notes);
        }
        if (event instanceof Noted) {
            return new Account(id, status, owner, currency, balance, notes + 1);
        }
        return new Account(id, Status.CLOSED, owner, currency, balance, notes);
    }

    public static List<Event> decide(Account account, Command command) {
        if (command instanceof Command.Open open) {
            account.require(account.status == Status.NEW, "it is open already");
            account.require(open.owner() != null && !open.owner().isBlank(), "an account needs an owner");
            account.require(open.currency() != null && open.currency().matches("[A-Z]{3}"),
                "currency must be three capital letters, was " + open.currency());
            return List.of(new Opened(open.owner(), open.currency()));
        }
        if (command instanceof Command.Credit credit) {
            account.require(account.status == Status.OPEN, "only an open account can be credited");
            account.require(credit.amount() != null && credit.amount().signum() > 0, "an amount must be positive");
            return List.of(new Credited(credit.amount()));
        }
        if (command instanceof Command.Debit debit) {
            account.require(account.status == Status.OPEN, "only an open account can be debited");
            account.require(debit.amount() != null && debit.amount().signum() > 0, "an amount must be positive");
            account.require(account.balance.compareTo(debit.amount()) >= 0,
                "insufficient funds: balance " + account.balance + ", debit " + debit.amount());
            return List.of(new Debited(debit.amount()));
        }
        if (command instanceof Command.Note note) {
            account.require(account.status != Status.NEW, "a note needs an existing account");
            return List.of(new Noted(note.note()));
        }
        if (account.status == Status.CLOSED) {
            return List.of();
        }
        account.require(account.status == Status.OPEN, "only an open account can be closed");
        account.require(account.balance.signum() == 0, "only an empty account can be closed");
        return List.of(new Closed());
    }

    private void require(boolean rule, String violation) {
        if (!rule) {
            throw new RuleViolation(id, status, violation);
        }
    }
}
