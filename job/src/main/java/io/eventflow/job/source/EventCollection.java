package io.eventflow.job.source;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;

import io.eventflow.job.mongo.MongoConnection;

/**
 * Makes sure the event collection exists before a job starts with a snapshot. With no collection to snapshot, Flink CDC
 * 3.1.1 opens the change stream only once the job's first checkpoint has completed, and from that moment: events
 * appended in between would never be read. An existing collection, even an empty one, gives the snapshot a split, and
 * the change stream starts from where that split was read.
 *
 * <p>The check runs where the job graph is built (the client, or the JobManager for a jar submitted over REST). A
 * store it cannot ask (out of reach within {@link #TIMEOUT}, a login refused) is not an error here: the job starts as
 * before, and its source meets the same and retries. A store that refuses to create the collection is: the job would
 * lose events, so it does not start.
 */
public final class EventCollection {

    /** The client's application name, as the server's logs and fail points see it. */
    public static final String APPLICATION_NAME = "eventflow-job-startup";

    /** How long the check may wait for the store. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(EventCollection.class);
    private static final int NAMESPACE_EXISTS = 48;

    /** What the check found. */
    public enum Outcome {
        /** The collection was there. */
        EXISTED,
        /** The job created it. */
        CREATED,
        /** The store could not be asked (out of reach, a login refused, no right to list collections). */
        UNCHECKED
    }

    private EventCollection() {
    }

    /**
     * Creates {@code database.collection} unless it exists.
     *
     * @throws IllegalStateException if it does not exist and the store refuses to create it
     */
    public static Outcome ensureExists(MongoConnection mongo, String database, String collection) {
        return ensureExists(mongo, database, collection, TIMEOUT);
    }

    /** As {@link #ensureExists(MongoConnection, String, String)}, waiting at most {@code timeout} for the store. */
    public static Outcome ensureExists(MongoConnection mongo, String database, String collection, Duration timeout) {
        try (MongoClient client = mongo.connectBounded(APPLICATION_NAME, timeout)) {
            MongoDatabase db = client.getDatabase(database);
            if (db.listCollections().filter(Filters.eq("name", collection)).first() != null) {
                return Outcome.EXISTED;
            }
            try {
                db.createCollection(collection);
            } catch (MongoCommandException e) {
                if (e.getErrorCode() == NAMESPACE_EXISTS) {
                    return Outcome.EXISTED; // a writer created it meanwhile
                }
                throw new IllegalStateException("the event collection " + database + "." + collection + " does not "
                    + "exist and MongoDB refused to create it (error " + e.getErrorCode() + " " + e.getErrorCodeName()
                    + ": " + e.getErrorMessage() + "); create it before the job's first start (an event writer does "
                    + "when it is built): with no collection to snapshot, Flink CDC would read only events appended "
                    + "after the job's first checkpoint", e);
            }
            log.info("created the event collection {}.{}: a snapshot of an empty collection hands over to the change "
                + "stream without missing what is appended meanwhile", database, collection);
            return Outcome.CREATED;
        } catch (MongoException e) {
            // out of reach, a login refused, no right to list collections: the source meets the same, and the job
            // restarts until it is put right
            log.warn("could not check that the event collection {}.{} exists ({}); if it does not, events appended "
                + "before the job's first checkpoint are not read", database, collection, e.getMessage());
            return Outcome.UNCHECKED;
        }
    }
}
