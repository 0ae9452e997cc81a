package io.eventflow.devstack.mongo.wire;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.mongo.backend.CompatBackend;
import io.eventflow.devstack.mongo.backend.DetailedServerError;
import io.eventflow.devstack.mongo.backend.LabeledServerError;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import de.bwaldvogel.mongo.wire.message.MongoReply;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.AttributeKey;

/**
 * Runs requests on worker threads rather than on Netty's event loop, because a change stream's {@code getMore}
 * may wait up to its await time for new events (one connection's requests one after the other, in order); replies every command with the replica set's cluster time and turns
 * server errors into MongoDB error replies, error labels included. Drivers send one request at a time per
 * connection, so replies stay in order. An unacknowledged ({@code w: 0}) write is run and gets no reply.
 */
@ChannelHandler.Sharable
public final class CommandHandler extends SimpleChannelInboundHandler<ClientRequest> {

    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
    private static final AttributeKey<ConnectionQueue> QUEUE = AttributeKey.valueOf("eventflow.requestQueue");

    private final CompatBackend backend;
    private final ChannelGroup channels;
    private final ExecutorService workers;
    private final CommandStats stats;
    private final AtomicInteger replyIds = new AtomicInteger();

    public CommandHandler(CompatBackend backend, ChannelGroup channels, ExecutorService workers, CommandStats stats) {
        this.backend = backend;
        this.channels = channels;
        this.workers = workers;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        channels.add(context.channel());
        super.channelActive(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        channels.remove(context.channel());
        backend.handleClose(context.channel());
        super.channelInactive(context);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, ClientRequest request) {
        try {
            context.channel().attr(QUEUE).setIfAbsent(new ConnectionQueue(workers));
            context.channel().attr(QUEUE).get().submit(() -> respond(context, request));
        } catch (RejectedExecutionException e) {
            context.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        log.debug("closing connection {} after a protocol error", context.channel(), cause);
        context.close();
    }

    private void respond(ChannelHandlerContext context, ClientRequest request) {
        MessageHeader header = new MessageHeader(replyIds.incrementAndGet(), request.getHeader().getRequestID());
        if (request instanceof MongoMessage message) {
            Document reply = execute(message.getDatabaseName(), message.getDocument(), message);
            if (reply != null && !(message instanceof UnacknowledgedMessage)) {
                context.channel().writeAndFlush(new MongoMessage(message.getChannel(), header, reply));
            }
        } else if (request instanceof MongoQuery query) {
            Document reply = query.getCollectionName().startsWith("$cmd")
                ? execute(query.getDatabaseName(), unwrap(query.getQuery()), query)
                : errorReply(new MongoServerError(5739101, "legacy OP_QUERY reads are not supported; use OP_MSG"));
            if (reply != null) {
                context.channel().writeAndFlush(new MongoReply(header, List.of(reply), 0));
            }
        }
    }

    private Document execute(String database, Document command, ClientRequest request) {
        String name = command.keySet().iterator().next();
        stats.record(name, command);
        try {
            Document reply = backend.handleCommand(request.getChannel(), database, name, command);
            backend.addClusterTime(reply);
            return reply;
        } catch (CompatBackend.ConnectionClosed e) {
            return null;
        } catch (MongoServerException e) {
            if (!(e instanceof MongoServerError error) || error.getCode() != 11000) {
                log.debug("command {} failed: {}", name, e.getMessage());
            }
            return errorReply(e);
        } catch (RuntimeException e) {
            log.error("command {} on {} failed unexpectedly", name, database, e);
            return errorReply(new MongoServerError(1, "InternalError", "Unknown error: " + e));
        }
    }

    private Document errorReply(MongoServerException exception) {
        Document reply = new Document("ok", 0.0).append("errmsg", exception.getMessageWithoutErrorCode());
        if (exception instanceof MongoServerError error) {
            reply.append("code", error.getCode());
            if (error.getCodeName() != null) {
                reply.append("codeName", error.getCodeName());
            }
        }
        if (exception instanceof DetailedServerError detailed) {
            reply.putAll(detailed.details());
        }
        if (exception instanceof LabeledServerError labeled) {
            reply.append("errorLabels", labeled.getErrorLabels());
        }
        backend.addClusterTime(reply);
        return reply;
    }

    private static Document unwrap(Document query) {
        return query.get("$query") instanceof Document inner ? inner : query;
    }
}
