package io.eventflow.devstack.testing;

import org.bson.Document;

import com.mongodb.client.MongoClient;

/**
 * Where a contract suite runs: the eventflow emulator or a real MongoDB replica set. The suites only use what both
 * offer, including fault injection through MongoDB's own {@code configureFailPoint} command.
 */
public interface MongoTarget {

    /** A connection string for the official drivers. */
    String connectionString();

    /** {@code host:port[,host:port]} for Flink CDC's {@code hosts} option. */
    String hosts();

    /** For test names and messages: "eventflow emulator" or "MongoDB 7 (Testcontainers)". */
    String description();

    /** Whether {@code configureFailPoint} is available (always on the emulator; with enableTestCommands on MongoDB). */
    boolean supportsFailPoints();

    /** Sets MongoDB's failCommand fail point through the wire. */
    default void configureFailPoint(MongoClient client, Document modeAndData) {
        Document command = new Document("configureFailPoint", "failCommand");
        command.putAll(modeAndData);
        client.getDatabase("admin").runCommand(command);
    }

    /** Turns the fail point off. */
    default void clearFailPoint(MongoClient client) {
        client.getDatabase("admin").runCommand(new Document("configureFailPoint", "failCommand").append("mode", "off"));
    }
}
