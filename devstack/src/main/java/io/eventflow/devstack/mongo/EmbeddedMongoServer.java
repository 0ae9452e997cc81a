package io.eventflow.devstack.mongo;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.Ports;
import io.eventflow.devstack.mongo.backend.CompatBackend;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.mongo.wire.CommandHandler;
import io.eventflow.devstack.mongo.wire.CommandStats;
import io.eventflow.devstack.mongo.wire.OpMsgDecoder;

import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * A MongoDB-compatible server that behaves like the primary of a single-node replica set: mongo-java-server's memory
 * backend plus eventflow's compatibility layer (oplog and change streams, transactions, retryable writes,
 * pipeline updates, fault injection). It lets the unmodified official drivers and Flink CDC run where no MongoDB
 * binary is available. It keeps everything in memory and binds to 127.0.0.1 only: it is for development and tests,
 * never for production.
 *
 * <pre>{@code
 * try (EmbeddedMongoServer mongo = EmbeddedMongoServer.builder().build().start()) {
 *     MongoClient client = MongoClients.create(mongo.connectionString());
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedMongoServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongoServer.class);
    private static final String HOST = "127.0.0.1";

    private final int requestedPort;
    private final CompatBackend backend;
    private final CommandStats commandStats = new CommandStats();
    private EventLoopGroup acceptors;
    private EventLoopGroup ioLoops;
    private ExecutorService workers;
    private ChannelGroup channels;
    private Channel serverChannel;

    private EmbeddedMongoServer(Builder builder) {
        this.requestedPort = builder.port;
        this.backend = new CompatBackend(builder.replicaSetName, builder.oplogCapacity, builder.transactionLifetime);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the port and starts serving. */
    public synchronized EmbeddedMongoServer start() {
        if (serverChannel != null) {
            throw new IllegalStateException("the MongoDB emulator is already running on " + connectionString());
        }
        acceptors = new NioEventLoopGroup(1, daemonThreads("mongo-emulator-accept"));
        ioLoops = new NioEventLoopGroup(0, daemonThreads("mongo-emulator-io"));
        workers = Executors.newCachedThreadPool(daemonThreads("mongo-emulator-worker"));
        channels = new DefaultChannelGroup("mongo-emulator-clients", GlobalEventExecutor.INSTANCE);
        CommandHandler commandHandler = new CommandHandler(backend, channels, workers, commandStats);
        try {
            serverChannel = new ServerBootstrap()
                .group(acceptors, ioLoops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new MongoWireReplyEncoder());
                        channel.pipeline().addLast(new MongoWireMessageEncoder());
                        channel.pipeline().addLast(new OpMsgDecoder());
                        channel.pipeline().addLast(commandHandler);
                    }
                })
                .bind(new InetSocketAddress(HOST, requestedPort))
                .syncUninterruptibly()
                .channel();
        } catch (RuntimeException e) {
            shutdownThreads();
            throw new IllegalStateException("the MongoDB emulator could not bind " + HOST + ":" + requestedPort
                + " (is the port in use?): " + e.getMessage(), e);
        }
        backend.setAdvertisedAddress(HOST + ":" + port());
        log.info("MongoDB emulator (replica set {}) listening on {}", backend.replicaSetName(), connectionString());
        return this;
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** {@code mongodb://127.0.0.1:<port>/?replicaSet=<name>}: works unchanged with the official drivers. */
    public String connectionString() {
        return "mongodb://" + HOST + ":" + port() + "/?replicaSet=" + backend.replicaSetName();
    }

    /** {@code 127.0.0.1:<port>}, the form Flink CDC's {@code hosts} option takes. */
    public String hosts() {
        return HOST + ":" + port();
    }

    public String replicaSetName() {
        return backend.replicaSetName();
    }

    /** Sets MongoDB's {@code failCommand} fail point, replacing any set before. */
    public void failCommand(FailCommand failCommand) {
        backend.failPoints().set(Objects.requireNonNull(failCommand, "failCommand"));
    }

    /** Turns the fail point off. */
    public void clearFailCommand() {
        backend.failPoints().clear();
    }

    /** How many commands fail points have hit since the server started. */
    public long failPointHits() {
        return backend.failPoints().triggeredCount();
    }

    /** Closes every client connection, as a network partition or a restarting server would. */
    public void dropConnections() {
        int open = channels.size();
        channels.close().syncUninterruptibly();
        log.info("dropped {} client connections", open);
    }

    /** The commands clients sent, and the write statements they carried, since the server started (or the last reset). */
    public CommandStats commandStats() {
        return commandStats;
    }

    /** How full the oplog is and how much it has dropped. */
    public OplogStats oplogStats() {
        return backend.replicationLog().stats();
    }

    public int openChangeStreams() {
        return backend.changeStreams().openCursors();
    }

    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        shutdownThreads();
        backend.close();
        serverChannel = null;
        log.info("MongoDB emulator stopped");
    }

    private void shutdownThreads() {
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (ioLoops != null) {
            ioLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Builds an {@link EmbeddedMongoServer}. */
    public static final class Builder {
        private int port = 0;
        private String replicaSetName = "rs0";
        private int oplogCapacity = 1_000_000;
        private Duration transactionLifetime = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = Ports.check("port", port);
            return this;
        }

        /** The replica set name reported to clients (default {@code rs0}). */
        public Builder replicaSetName(String replicaSetName) {
            if (replicaSetName == null || replicaSetName.isBlank()) {
                throw new IllegalArgumentException("replicaSetName must not be blank, was '" + replicaSetName + "'");
            }
            this.replicaSetName = replicaSetName;
            return this;
        }

        /**
         * How many oplog entries are kept (default 1,000,000). Older entries are dropped, and change streams that
         * try to resume before the oldest retained entry fail with error 286, as on MongoDB.
         */
        public Builder oplogCapacity(int oplogCapacity) {
            if (oplogCapacity < 1) {
                throw new IllegalArgumentException("oplogCapacity must be at least 1, was " + oplogCapacity);
            }
            this.oplogCapacity = oplogCapacity;
            return this;
        }

        /** How long a transaction may stay open before the server aborts it (default 60 s, MongoDB's default). */
        public Builder transactionLifetime(Duration transactionLifetime) {
            if (transactionLifetime == null || transactionLifetime.isNegative() || transactionLifetime.isZero()) {
                throw new IllegalArgumentException("transactionLifetime must be positive, was " + transactionLifetime);
            }
            this.transactionLifetime = transactionLifetime;
            return this;
        }

        public EmbeddedMongoServer build() {
            return new EmbeddedMongoServer(this);
        }
    }
}
