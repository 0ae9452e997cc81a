package io.eventflow.writer.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.core.json.EventJson;

class BsonJsonTest {

    record Amounts(double price, BigDecimal total, int count, long big) {
    }

    @Test
    void javaNumbersKeepTheirBsonTypesThroughTheEventMapper() {
        ObjectMapper mapper = EventJson.mapper();

        BsonDocument document = BsonJson.toBson(BsonJson.writingMapper(mapper)
            .valueToTree(new Amounts(9.99, new BigDecimal("12.50"), 3, 5_000_000_000L))).asDocument();

        assertThat(document.get("price")).isEqualTo(new BsonDouble(9.99));
        assertThat(document.get("total")).isEqualTo(new BsonDecimal128(new Decimal128(new BigDecimal("12.50"))));
        assertThat(document.get("count")).isEqualTo(new BsonInt32(3));
        assertThat(document.get("big")).isEqualTo(new BsonInt64(5_000_000_000L));
    }

    @Test
    void theWritingMapperLeavesTheCallersMapperAsItWas() {
        ObjectMapper mapper = EventJson.mapper();

        assertThat(BsonJson.writingMapper(mapper)).isNotSameAs(mapper);
        assertThat(mapper.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)).isTrue();
        ObjectMapper plain = new ObjectMapper();
        assertThat(BsonJson.writingMapper(plain)).isSameAs(plain);
    }
}
