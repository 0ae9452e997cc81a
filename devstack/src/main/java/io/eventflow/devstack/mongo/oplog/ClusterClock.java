package io.eventflow.devstack.mongo.oplog;

import java.time.Clock;

import de.bwaldvogel.mongo.bson.BsonTimestamp;

/**
 * The replica set's logical clock. Every oplog entry (or committed transaction) gets a timestamp that is strictly
 * greater than every timestamp handed out before, even when the wall clock stands still or goes backwards; the
 * increment counts operations within one second, as MongoDB's does.
 */
public final class ClusterClock {

    private final Clock wallClock;
    private int lastSeconds;
    private int lastIncrement;

    public ClusterClock(Clock wallClock) {
        this.wallClock = wallClock;
        this.lastSeconds = currentSeconds();
        this.lastIncrement = 0;
    }

    /** Hands out the next timestamp; never the same twice. */
    public synchronized BsonTimestamp tick() {
        int now = currentSeconds();
        if (now > lastSeconds) {
            lastSeconds = now;
            lastIncrement = 1;
        } else {
            lastIncrement++;
            if (lastIncrement == Integer.MAX_VALUE) {
                lastSeconds++;
                lastIncrement = 1;
            }
        }
        return current();
    }

    /** The latest timestamp handed out (the cluster time that responses report). */
    public synchronized BsonTimestamp current() {
        return new BsonTimestamp(((long) lastSeconds << 32) | (lastIncrement & 0xFFFFFFFFL));
    }

    /** Moves the clock forward to at least the given time, as gossiped by a client; never backwards. */
    public synchronized void advanceTo(BsonTimestamp timestamp) {
        if (Integer.compareUnsigned(timestamp.getTime(), lastSeconds) > 0
            || (timestamp.getTime() == lastSeconds && Integer.compareUnsigned(timestamp.getInc(), lastIncrement) > 0)) {
            lastSeconds = timestamp.getTime();
            lastIncrement = timestamp.getInc();
        }
    }

    public java.time.Instant wallTime() {
        return wallClock.instant();
    }

    private int currentSeconds() {
        return (int) wallClock.instant().getEpochSecond();
    }
}
