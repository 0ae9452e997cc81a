package io.eventflow.devstack.mongo.wire;

import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * mongo-java-server's wire decoder, plus the OP_MSG {@code moreToCome} flag it rejects (and then closes the
 * connection): a message with the flag is decoded as an {@link UnacknowledgedMessage}, which is run without a reply.
 */
public final class OpMsgDecoder extends MongoWireProtocolHandler {

    private static final int OP_MSG = 2013;
    private static final int MORE_TO_COME = 1 << 1;
    private static final int HEADER_BYTES = 16;
    private static final int OPCODE_OFFSET = 12;

    @Override
    protected ClientRequest decode(ChannelHandlerContext context, ByteBuf buffer) throws Exception {
        int start = buffer.readerIndex();
        boolean unacknowledged = false;
        if (buffer.readableBytes() >= HEADER_BYTES + 4) {
            int length = buffer.getIntLE(start);
            if (buffer.readableBytes() >= length && buffer.getIntLE(start + OPCODE_OFFSET) == OP_MSG) {
                int flags = buffer.getIntLE(start + HEADER_BYTES);
                if ((flags & MORE_TO_COME) != 0) {
                    buffer.setIntLE(start + HEADER_BYTES, flags & ~MORE_TO_COME);
                    unacknowledged = true;
                }
            }
        }
        ClientRequest request = super.decode(context, buffer);
        if (unacknowledged && request instanceof MongoMessage message) {
            return new UnacknowledgedMessage(message.getChannel(), message.getHeader(), message.getDocument());
        }
        return request;
    }
}
