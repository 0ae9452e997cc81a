package io.eventflow.devstack.mongo;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;

import io.eventflow.devstack.testing.MongoTarget;

/** Base of the contract suites: a client of the target and a fresh database per test. */
abstract class MongoContract {

    protected MongoClient client;
    protected MongoDatabase database;

    /** The server the suite runs against. */
    protected abstract MongoTarget target();

    @BeforeEach
    void connect() {
        client = MongoClients.create(target().connectionString());
        database = client.getDatabase("contract_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterEach
    void disconnect() {
        if (target().supportsFailPoints()) {
            target().clearFailPoint(client);
        }
        database.drop();
        client.close();
    }
}
