package io.eventflow.core.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON conventions of event payloads and metadata, shared by the side that writes events (the event writer) and
 * the side that reads them (projections): Java time types as ISO-8601 strings, and decimals that keep their scale
 * (12.50 stays 12.50, in typed objects and in trees alike: the scale of an amount is data).
 */
public final class EventJson {

    private EventJson() {
    }

    /** A new mapper with the conventions; configure it further as you like. */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }
}
