package io.eventflow.job.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bson.BsonSerializationException;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoClientSettings;

import io.eventflow.core.readmodel.ReadModelFields;

/** The encoder's bytes are exactly the driver's, for every value type, through repeated use of its buffer. */
class ReadModelEncoderTest {

    private static final long UPDATED_AT = 1_772_359_200_123L;
    private final ReadModelEncoder encoder = new ReadModelEncoder();

    @Test
    void writesTheSameBytesAsTheDriverForEveryValueType() {
        Document fields = new Document("ascii", "SHIPPED")
            .append("unicode", "Grüße aus Köln \uD83D\uDE9A")
            .append("empty", "")
            .append("int", 42)
            .append("long", 1L << 40)
            .append("double", 2.5)
            .append("flag", true)
            .append("date", new Date(UPDATED_AT))
            .append("decimal", new Decimal128(new BigDecimal("26.20")))
            .append("objectId", new ObjectId("65f0c0ffee0000000000abcd"))
            .append("nothing", null)
            .append("nested", new Document("sku", "book-1").append("quantity", 2))
            .append("list", List.of("a", 1, new Document("x", "ü")))
            .append("pattern", Pattern.compile("^order-")); // no fast path: goes through the codec registry

        assertThat(encoder.encode("order-1", fields, 7, "event-7", UPDATED_AT))
            .isEqualTo(driverBytes("order-1", fields, 7, "event-7", UPDATED_AT));
    }

    @Test
    void convertsInstantsAndBigDecimalsAsTheDriverStoresThem() {
        Document fields = new Document("at", Instant.ofEpochMilli(UPDATED_AT)).append("amount", new BigDecimal("12.50"))
            .append("map", Map.of("k", "v"));
        Document asStored = new Document("at", new Date(UPDATED_AT)).append("amount", new Decimal128(new BigDecimal("12.50")))
            .append("map", new Document("k", "v"));

        assertThat(encoder.encode("o", fields, 1, "e", UPDATED_AT)).isEqualTo(driverBytes("o", asStored, 1, "e", UPDATED_AT));
    }

    @Test
    void aReusedBufferHoldsOnlyTheLatestDocumentAndGrowsForLargeOnes() {
        String large = "x".repeat(10_000);
        byte[] first = encoder.encode("big", new Document("text", large), 1, "e1", UPDATED_AT);
        byte[] second = encoder.encode("small", new Document("status", "NEW"), 2, "e2", UPDATED_AT);

        assertThat(new RawBsonDocument(first).getString("text").getValue()).isEqualTo(large);
        assertThat(second).isEqualTo(driverBytes("small", new Document("status", "NEW"), 2, "e2", UPDATED_AT));
        assertThat(first).isNotSameAs(second);
    }

    @Test
    void aDecimalThatDecimal128CannotHoldExactlyIsRefusedNamingTheField() {
        assertThatThrownBy(() -> encoder.encode("o", Map.of("nested", Map.of("amount",
                new BigDecimal("1234567890123456789012345678901234567890"))), 1, "e", UPDATED_AT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("field 'nested.amount' holds 1234567890123456789012345678901234567890, which "
                + "Decimal128 cannot hold exactly");
    }

    @Test
    void theJobsOwnFieldsAreRefusedInAProjectionsDocument() {
        assertThatThrownBy(() -> encoder.encode("o", Map.of("lastSequenceNo", 9), 1, "e", UPDATED_AT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("field 'lastSequenceNo' is the job's own: the job writes _id, lastEventId, lastSequenceNo, "
                + "updatedAt itself; rename the projection's field");
        assertThat(new RawBsonDocument(encoder.encodeCrossAggregate("sku-1", Map.of("lastSequenceNo", 9), 4, UPDATED_AT))
            .getInt32("lastSequenceNo").getValue()).as("a cross-aggregate document may use it").isEqualTo(9);
    }

    @Test
    void aDocumentOverTheLimitIsRefusedWithItsSize() {
        String large = "x".repeat(ReadModelEncoder.MAX_DOCUMENT_BYTES);
        assertThatThrownBy(() -> encoder.encode("o", Map.of("text", large), 1, "e", UPDATED_AT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("bytes, more than the " + ReadModelEncoder.MAX_DOCUMENT_BYTES);
    }

    @Test
    void enumsAndUuidsAreWrittenAsStrings() {
        java.util.UUID id = java.util.UUID.fromString("7f8e0c1a-1111-2222-3333-444455556666");
        RawBsonDocument document = new RawBsonDocument(encoder.encode("o", Map.of("unit",
            java.util.concurrent.TimeUnit.SECONDS, "id", id), 1, "e", UPDATED_AT));
        assertThat(document.getString("unit").getValue()).isEqualTo("SECONDS");
        assertThat(document.getString("id").getValue()).isEqualTo(id.toString());
    }

    @Test
    void aFieldNameWithANulCharacterIsRejectedWithTheDriversMessage() {
        assertThatThrownBy(() -> encoder.encode("o", new Document("bad\u0000name", 1), 1, "e", UPDATED_AT))
            .isInstanceOf(BsonSerializationException.class)
            .hasMessageContaining("BSON cstring 'bad\u0000name' is not valid because it contains a null character");
        // the buffer is still usable afterwards
        assertThat(encoder.encode("o", new Document("good", 1), 1, "e", UPDATED_AT))
            .isEqualTo(driverBytes("o", new Document("good", 1), 1, "e", UPDATED_AT));
    }

    private static byte[] driverBytes(String id, Document fields, long sequenceNo, String eventId, long updatedAt) {
        Document document = new Document("_id", id);
        document.putAll(fields);
        document.append(ReadModelFields.LAST_SEQUENCE_NO, sequenceNo).append(ReadModelFields.LAST_EVENT_ID, eventId)
            .append(ReadModelFields.UPDATED_AT, new Date(updatedAt));
        RawBsonDocument raw = new RawBsonDocument(document, new DocumentCodec(MongoClientSettings.getDefaultCodecRegistry()));
        return java.util.Arrays.copyOf(raw.getByteBuffer().array(), raw.getByteBuffer().remaining());
    }
}
