package io.eventflow.devstack.mongo.oplog;

import de.bwaldvogel.mongo.bson.Document;

/**
 * A collection that can keep pre- and post-images for change streams (MongoDB's
 * {@code changeStreamPreAndPostImages: {enabled: true}}, set with {@code create} or {@code collMod}).
 */
public interface DocumentImages {

    /** Whether images are kept for this collection's changes. */
    boolean keepsImages();

    /** The version of the document before its latest change, once; null if none was kept. */
    Document takePreImage(Object id);

    /** The current version of the document (the post-image of its latest change), or null. */
    Document currentVersion(Object id);
}
