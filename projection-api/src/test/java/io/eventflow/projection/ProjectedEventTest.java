package io.eventflow.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.core.upcast.Upcasters;

class ProjectedEventTest {

    record Line(String sku, int quantity, BigDecimal unitPrice) {
    }

    record Created(String customerId, List<Line> items) {
    }

    private static final Upcasters UPCASTERS = Upcasters.builder()
        .register("Created", 1, payload -> {
            payload.withArray("items").forEach(item -> ((ObjectNode) item).set("unitPrice", ((ObjectNode) item).remove("price")));
            return payload;
        })
        .build();

    private static ProjectedEvent created(int version, String payload) {
        return ProjectedEvent.builder("Created").aggregate("Order", "o1").schemaVersion(version).payload(payload)
            .upcasters(UPCASTERS).build();
    }

    @Test
    void aPayloadAtAnOlderVersionIsLiftedBeforeItIsRead() {
        Created created = created(1, "{\"customerId\": \"c1\", \"items\": [{\"sku\": \"a\", \"quantity\": 2, \"price\": 2.50}]}")
            .payloadAs(Created.class);

        assertThat(created.items()).containsExactly(new Line("a", 2, new BigDecimal("2.50")));
    }

    @Test
    void amountsKeepTheirScaleWhetherReadIntoATypeOrAsATree() {
        ProjectedEvent current = created(2, "{\"customerId\": \"c1\", \"items\": [{\"sku\": \"a\", \"quantity\": 1, \"unitPrice\": 12.50}]}");

        assertThat(current.payloadAs(Created.class).items().get(0).unitPrice()).isEqualTo(new BigDecimal("12.50"));
        assertThat(current.payload().at("/items/0/unitPrice").decimalValue()).isEqualTo(new BigDecimal("12.50"));
    }

    @Test
    void everyReaderGetsAPayloadOfItsOwn() {
        ProjectedEvent event = created(2, "{\"customerId\": \"c1\", \"items\": []}");

        ((ObjectNode) event.payload()).put("customerId", "changed by one projection");

        assertThat(event.payload().path("customerId").asText()).isEqualTo("c1");
        assertThat(event.payloadAs(Created.class).customerId()).isEqualTo("c1");
    }

    @Test
    void aVersionNewerThanTheUpcastersKnowIsRefusedNamingIt() {
        assertThatThrownBy(() -> created(3, "{}").payloadAs(Created.class))
            .isInstanceOf(UnknownSchemaVersionException.class)
            .hasMessage("schemaVersion 3 of Created is newer than this code knows (v2); deploy the projections with their "
                + "upcasters first");
    }

    @Test
    void aPayloadThatDoesNotMapIsRefusedNamingTheEventAndTheType() {
        assertThatThrownBy(() -> created(2, "{\"items\": \"none\"}").payloadAs(Created.class))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("payload of Created (event o1-1) cannot be read as Created: ");
        assertThatThrownBy(() -> created(2, "[1, 2]").payload())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("payload of Created (event o1-1) is not a JSON object");
    }

    @Test
    void eventsWithoutMetadataHaveAnEmptyOne() {
        assertThat(created(2, "{}").metadata().isEmpty()).isTrue();
        assertThat(ProjectedEvent.builder("X").metadataJson("{\"correlationId\": \"r1\"}").build().metadata()
            .path("correlationId").asText()).isEqualTo("r1");
    }
}
