package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Told of every change to a stored document, with the version before it, while anyone needs to know (open
 * transactions reading a snapshot). Called under the collection's lock, just before or after the change.
 */
public interface ChangeRecorder {

    ChangeRecorder NONE = new ChangeRecorder() {
        @Override
        public boolean isRecording() {
            return false;
        }

        @Override
        public void changed(String namespace, Object id, Document before) {
        }
    };

    /** Whether changes are recorded now; when not, callers skip copying the old version. */
    boolean isRecording();

    /** The document {@code id} of {@code namespace} changes; {@code before} is null when it did not exist. */
    void changed(String namespace, Object id, Document before);
}
