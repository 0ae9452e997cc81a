package io.eventflow.job.mongo;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/**
 * How to reach a MongoDB deployment: a connection string without credentials, and the credentials apart, so the
 * password is never part of a string that could be logged. {@link #toString()} masks it.
 */
public final class MongoConnection implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String uri;
    private final String username;
    private final String password;

    public MongoConnection(String uri, String username, String password) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.username = username;
        this.password = password;
    }

    public String uri() {
        return uri;
    }

    public String username() {
        return username;
    }

    /** The password, for the CDC source builder only. */
    public String password() {
        return password;
    }

    public boolean hasCredentials() {
        return username != null && !username.isEmpty() && password != null && !password.isEmpty();
    }

    /** {@code host:port[,host:port]}, for Flink CDC. */
    public String hosts() {
        return String.join(",", new ConnectionString(uri).getHosts());
    }

    /** {@code mongodb} or {@code mongodb+srv}. */
    public String scheme() {
        return uri.startsWith("mongodb+srv://") ? "mongodb+srv" : "mongodb";
    }

    /** The options part of the connection string ({@code replicaSet=rs0&tls=true}), or null. */
    public String options() {
        int question = uri.indexOf('?');
        return question < 0 || question == uri.length() - 1 ? null : uri.substring(question + 1);
    }

    /**
     * The connection string with the credentials in it, for connectors that take nothing else (the MongoDB sink).
     * Never log it.
     */
    public String uriWithCredentials() {
        if (!hasCredentials()) {
            return uri;
        }
        int start = uri.indexOf("://") + 3;
        return uri.substring(0, start) + encode(username) + ":" + encode(password) + "@" + uri.substring(start);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A new client; the caller closes it. */
    public MongoClient connect(String applicationName) {
        return MongoClients.create(settings(applicationName).build());
    }

    /**
     * A new client whose every operation is bounded in time: finding a server, opening a connection and waiting for
     * one take at most {@code timeout} each, a read on the socket at most {@code timeout} plus a second (so that a
     * server honouring {@code maxTimeMS} of {@code timeout} answers first), and reads are not retried by the driver
     * (the caller retries with its own backoff). The caller closes it.
     */
    public MongoClient connectBounded(String applicationName, Duration timeout) {
        long millis = timeout.toMillis();
        MongoClientSettings.Builder settings = settings(applicationName)
            .retryReads(false)
            .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(millis, TimeUnit.MILLISECONDS))
            .applyToConnectionPoolSettings(pool -> pool.maxWaitTime(millis, TimeUnit.MILLISECONDS))
            .applyToSocketSettings(socket -> socket.connectTimeout((int) millis, TimeUnit.MILLISECONDS)
                .readTimeout((int) millis + 1000, TimeUnit.MILLISECONDS));
        return MongoClients.create(settings.build());
    }

    private MongoClientSettings.Builder settings(String applicationName) {
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(uri))
            .applicationName(applicationName);
        if (hasCredentials()) {
            ConnectionString parsed = new ConnectionString(uri);
            String source = parsed.getDatabase() != null ? parsed.getDatabase() : "admin";
            settings.credential(MongoCredential.createCredential(username, source, password.toCharArray()));
        }
        return settings;
    }

    @Override
    public String toString() {
        return uri + (hasCredentials() ? " (user " + username + ", password ****)" : "");
    }
}
