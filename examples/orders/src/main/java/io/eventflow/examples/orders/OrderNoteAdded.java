package io.eventflow.examples.orders;

/** {@code OrderNoteAdded}: {@code {note}}; changes no status. */
public record OrderNoteAdded(String note) implements OrderEvent {
}
