package io.eventflow.core.upcast;

import java.io.Serializable;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Lifts one event type's payload from one schema version to the next. Must be a pure function of the payload.
 * Serializable, because the projection job ships upcasters to its task managers.
 */
@FunctionalInterface
public interface PayloadUpcaster extends Serializable {

    /** The payload at the next version; may modify and return its argument, which is a private copy. */
    ObjectNode upcast(ObjectNode payload);
}
