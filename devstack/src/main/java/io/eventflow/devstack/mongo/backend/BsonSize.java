package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The encoded BSON size of a document, as MongoDB counts it against its 16 MiB limit. */
public final class BsonSize {

    /** MongoDB's maximum document size. */
    public static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    private BsonSize() {
    }

    public static int of(Document document) {
        ByteBuf buffer = Unpooled.buffer();
        try {
            BsonEncoder.encodeDocument(document, buffer);
            return buffer.writerIndex();
        } finally {
            buffer.release();
        }
    }
}
