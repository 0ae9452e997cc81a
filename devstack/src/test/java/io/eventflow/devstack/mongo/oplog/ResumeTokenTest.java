package io.eventflow.devstack.mongo.oplog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

class ResumeTokenTest {

    @Test
    void tokensUseMongoDbsKeyStringTimestampLayout() {
        OplogPosition position = new OplogPosition((0x6B04917BL << 32) | 4, 2);

        String data = ResumeToken.encode(position);

        assertThat(data).startsWith("82" + "6B04917B" + "00000004").isUpperCase();
        assertThat(ResumeToken.decode(new Document("_data", data))).isEqualTo(position);
    }

    @Test
    void aHighWaterMarkSortsAfterEveryOperationOfItsTime() {
        OplogPosition event = new OplogPosition(100L << 32 | 1, 7);
        OplogPosition mark = OplogPosition.highWaterMark(event.bsonTimestamp());
        assertThat(mark).isGreaterThan(event);
        assertThat(ResumeToken.decode(ResumeToken.toDocument(mark))).isEqualTo(mark);
    }

    @Test
    void startingAtATimeIncludesThatTime() {
        OplogPosition first = new OplogPosition(100L << 32 | 1, 0);
        assertThat(first).isGreaterThan(OplogPosition.before(first.bsonTimestamp()));
        assertThat(OplogPosition.before(first.bsonTimestamp())).isGreaterThan(new OplogPosition(100L << 32, 0));
    }

    @Test
    void aTokenWithOnlyTheTimestampIsAccepted() {
        assertThat(ResumeToken.decode(new Document("_data", "820000006400000001"))).isNotNull();
    }

    @Test
    void badTokensAreRejectedWithError260NamingTheValue() {
        assertThatThrownBy(() -> ResumeToken.decode(new Document("_data", "zz")))
            .isInstanceOf(MongoServerError.class)
            .satisfies(e -> assertThat(((MongoServerError) e).getCode()).isEqualTo(260))
            .hasMessageContaining("'ZZ'");
        assertThatThrownBy(() -> ResumeToken.decode(new Document("_data", "0100000064")))
            .hasMessageContaining("does not start with a timestamp");
        assertThatThrownBy(() -> ResumeToken.decode(new Document("token", 1)))
            .hasMessageContaining("_data of missing or invalid type");
    }
}
