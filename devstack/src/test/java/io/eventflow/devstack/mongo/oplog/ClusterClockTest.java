package io.eventflow.devstack.mongo.oplog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import de.bwaldvogel.mongo.bson.BsonTimestamp;

class ClusterClockTest {

    @Test
    void timestampsStrictlyIncreaseWhileTheWallClockStandsStill() {
        ClusterClock clock = new ClusterClock(Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC));
        List<BsonTimestamp> ticks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ticks.add(clock.tick());
        }
        assertThat(ticks).isSorted().doesNotHaveDuplicates();
        assertThat(ticks.get(0).getTime()).isEqualTo(1_700_000_000);
        assertThat(ticks.get(999).getInc()).isEqualTo(1000);
    }

    @Test
    void aWallClockGoingBackwardsNeverMakesTimeGoBack() {
        MutableClock wall = new MutableClock(Instant.ofEpochSecond(2_000));
        ClusterClock clock = new ClusterClock(wall);
        BsonTimestamp before = clock.tick();
        wall.now = Instant.ofEpochSecond(1_000);
        BsonTimestamp after = clock.tick();
        assertThat(after).isGreaterThan(before);
        assertThat(after.getTime()).isEqualTo(2_000);
    }

    @Test
    void aNewSecondRestartsTheIncrement() {
        MutableClock wall = new MutableClock(Instant.ofEpochSecond(10));
        ClusterClock clock = new ClusterClock(wall);
        clock.tick();
        clock.tick();
        wall.now = Instant.ofEpochSecond(11);
        BsonTimestamp next = clock.tick();
        assertThat(next.getTime()).isEqualTo(11);
        assertThat(next.getInc()).isEqualTo(1);
        assertThat(clock.current()).isEqualTo(next);
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
