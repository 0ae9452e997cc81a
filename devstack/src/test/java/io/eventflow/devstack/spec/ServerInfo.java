package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.client.MongoClient;

/**
 * What {@code runOnRequirements} are evaluated against: the server's version (from {@code buildInfo}), its topology
 * (a replica set) and, on demand, its parameters ({@code getParameter}).
 *
 * @param version  the server version as {@code [major, minor, patch]}
 * @param topology {@code replicaset} for both the emulator and the real server this suite runs against
 * @param client   an internal client, to read server parameters
 */
record ServerInfo(List<Integer> version, String topology, MongoClient client) {

    static ServerInfo of(MongoClient client) {
        BsonDocument buildInfo = client.getDatabase("admin").runCommand(new BsonDocument("buildInfo", new org.bson.BsonInt32(1)),
            BsonDocument.class);
        return new ServerInfo(parseVersion(buildInfo.getString("version").getValue()), "replicaset", client);
    }

    static List<Integer> parseVersion(String text) {
        List<Integer> parts = new ArrayList<>();
        for (String part : text.split("[.-]")) {
            if (parts.size() == 3) {
                break;
            }
            try {
                parts.add(Integer.parseInt(part));
            } catch (NumberFormatException e) {
                break;
            }
        }
        while (parts.size() < 3) {
            parts.add(0);
        }
        return parts;
    }

    static int compare(List<Integer> left, List<Integer> right) {
        for (int i = 0; i < 3; i++) {
            int difference = Integer.compare(left.get(i), right.get(i));
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }

    String versionText() {
        return version.get(0) + "." + version.get(1) + "." + version.get(2);
    }

    /** A server parameter, or null when the server does not report it. */
    BsonValue parameter(String name) {
        try {
            BsonDocument reply = client.getDatabase("admin").runCommand(
                new BsonDocument("getParameter", new org.bson.BsonInt32(1)).append(name, new org.bson.BsonInt32(1)),
                BsonDocument.class);
            return reply.get(name);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
