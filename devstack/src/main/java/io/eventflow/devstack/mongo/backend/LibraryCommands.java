package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/** Runs a command the way mongo-java-server's memory backend does, without this layer's handling. */
@FunctionalInterface
public interface LibraryCommands {

    Document run(Channel channel, String database, String command, Document query);
}
