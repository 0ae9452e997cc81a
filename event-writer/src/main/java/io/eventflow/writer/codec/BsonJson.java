package io.eventflow.writer.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.bson.internal.UuidHelper;
import org.bson.types.Decimal128;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Converts between Jackson trees and BSON without going through JSON text, so numbers keep their types (int32,
 * int64, double, decimal) both ways. BSON types JSON does not have are read as: dates as ISO-8601 strings, ObjectIds
 * as hex strings, UUIDs as strings, other binaries as bytes, timestamps as numbers.
 */
public final class BsonJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private BsonJson() {
    }

    /**
     * {@code mapper} as it should turn Java objects into trees for {@link #toBson(JsonNode)}: a {@code double} stays a
     * BSON double and a {@code BigDecimal} becomes a Decimal128, whatever the mapper does when it reads JSON text (the
     * event mapper reads floats as decimals, which would turn every double into a Decimal128). Keep the result: copying
     * a mapper is not cheap.
     */
    public static ObjectMapper writingMapper(ObjectMapper mapper) {
        return mapper.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            ? mapper.copy().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            : mapper;
    }

    /**
     * A Jackson tree as a BSON value.
     *
     * @throws IllegalArgumentException for a number BSON cannot hold (an integer beyond 34 decimal digits)
     */
    public static BsonValue toBson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return BsonNull.VALUE;
        }
        if (node.isObject()) {
            BsonDocument document = new BsonDocument();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                document.append(field.getKey(), toBson(field.getValue()));
            }
            return document;
        }
        if (node.isArray()) {
            BsonArray array = new BsonArray();
            node.forEach(element -> array.add(toBson(element)));
            return array;
        }
        if (node.isTextual()) {
            return new BsonString(node.textValue());
        }
        if (node.isBoolean()) {
            return BsonBoolean.valueOf(node.booleanValue());
        }
        if (node.isInt() || node.isShort()) {
            return new BsonInt32(node.intValue());
        }
        if (node.isLong()) {
            return new BsonInt64(node.longValue());
        }
        if (node.isBigInteger()) {
            BigInteger value = node.bigIntegerValue();
            return value.bitLength() < 64 ? new BsonInt64(value.longValue()) : decimal(new BigDecimal(value));
        }
        if (node.isBigDecimal()) {
            return decimal(node.decimalValue());
        }
        if (node.isFloatingPointNumber()) {
            return new BsonDouble(node.doubleValue());
        }
        if (node.isBinary()) {
            try {
                return new BsonBinary(node.binaryValue());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("unreadable binary value", e);
            }
        }
        throw new IllegalArgumentException("cannot store a " + node.getNodeType() + " JSON value in BSON");
    }

    /** A BSON document as a Jackson object. */
    public static ObjectNode toJson(BsonDocument document) {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<String, BsonValue> field : document.entrySet()) {
            object.set(field.getKey(), toJson(field.getValue()));
        }
        return object;
    }

    /** A BSON value as a Jackson node. */
    public static JsonNode toJson(BsonValue value) {
        switch (value.getBsonType()) {
            case DOCUMENT:
                return toJson(value.asDocument());
            case ARRAY:
                ArrayNode array = NODES.arrayNode();
                value.asArray().forEach(element -> array.add(toJson(element)));
                return array;
            case STRING:
                return NODES.textNode(value.asString().getValue());
            case INT32:
                return NODES.numberNode(value.asInt32().getValue());
            case INT64:
                return NODES.numberNode(value.asInt64().getValue());
            case DOUBLE:
                return NODES.numberNode(value.asDouble().getValue());
            case DECIMAL128:
                Decimal128 decimal = value.asDecimal128().getValue();
                return decimal.isNaN() || decimal.isInfinite() ? NODES.textNode(decimal.toString())
                    : NODES.numberNode(decimal.bigDecimalValue());
            case BOOLEAN:
                return NODES.booleanNode(value.asBoolean().getValue());
            case NULL:
            case UNDEFINED:
                return NODES.nullNode();
            case DATE_TIME:
                return NODES.textNode(Instant.ofEpochMilli(value.asDateTime().getValue()).toString());
            case OBJECT_ID:
                return NODES.textNode(value.asObjectId().getValue().toHexString());
            case BINARY:
                BsonBinary binary = value.asBinary();
                if (binary.getType() == BsonBinarySubType.UUID_STANDARD.getValue()) {
                    UUID uuid = UuidHelper.decodeBinaryToUuid(binary.getData(), binary.getType(), UuidRepresentation.STANDARD);
                    return NODES.textNode(uuid.toString());
                }
                return NODES.binaryNode(binary.getData());
            case TIMESTAMP:
                return NODES.numberNode(value.asTimestamp().getValue());
            case SYMBOL:
                return NODES.textNode(value.asSymbol().getSymbol());
            case REGULAR_EXPRESSION:
                return NODES.textNode(value.asRegularExpression().getPattern());
            case JAVASCRIPT:
                return NODES.textNode(value.asJavaScript().getCode());
            default:
                return NODES.textNode(value.toString());
        }
    }

    private static BsonDecimal128 decimal(BigDecimal value) {
        try {
            return new BsonDecimal128(new Decimal128(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the number " + value + " does not fit BSON's 128-bit decimal", e);
        }
    }
}
