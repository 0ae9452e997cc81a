package io.eventflow.devstack.mongo.wire;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.Channel;

/**
 * An OP_MSG sent with the {@code moreToCome} flag, as drivers send unacknowledged ({@code w: 0}) writes: the server
 * runs it and sends no reply.
 */
final class UnacknowledgedMessage extends MongoMessage {

    UnacknowledgedMessage(Channel channel, MessageHeader header, Document document) {
        super(channel, header, document);
    }
}
