package io.eventflow.writer.example.order;

/** {@code OrderNoteAdded}: {@code {note}}; changes no status. */
public record OrderNoteAdded(String note) implements OrderEvent {
}
