package io.eventflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.OrderCreated;
import io.eventflow.examples.orders.OrderLine;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.examples.orders.OrderNoteAdded;
import io.eventflow.examples.orders.Orders;
import io.eventflow.ops.audit.AuditResult;
import io.eventflow.ops.audit.Audits;
import io.eventflow.ops.audit.Drift;
import io.eventflow.ops.cli.Ops;
import io.eventflow.ops.inspect.JobJars;
import io.eventflow.ops.rest.JobInfo;
import io.eventflow.ops.testing.EmbeddedStackTest;
import io.eventflow.ops.testing.ProjectionJobFixture;
import io.eventflow.readmodels.ReadModels;
import io.eventflow.writer.AppendResult;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * {@code bin/submit} as a user runs it: the Order example, built as its own artifact, submitted to the embedded
 * cluster; then the same projections as a jar of projections only, next to the stock job jar. Read models, per
 * aggregate and across aggregates, must equal the replay oracle and Kafka must hold every event once, in order.
 */
class SubmitITCase extends EmbeddedStackTest {

    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @Test
    void theExamplesApplicationJarRunsAllItsProjectionsWithNothingLostOrDuplicated() {
        try (ProjectionJobFixture stack = fixture("submit")) {
            List<String> command = new ArrayList<>(List.of("submit", "--flink", FLINK.cluster().restUrl(), "--jar",
                ProjectionJobFixture.APP_JAR.toString(), "--"));
            command.addAll(stack.jobArguments());
            Run run = ops(command);
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("submitted: job ");

            OrderLoadGenerator load = stack.load(60, 7).start();
            Await.until("400 events appended", PATIENCE, () -> load.eventsAppended() >= 400, () -> "");
            load.close();

            // read-your-writes: a service appends, then waits until both kinds of read model reflect the append
            ReadModels readModels = ReadModels.builder(stack.readModels()).build();
            AppendResult appended = stack.store.append(Orders.AGGREGATE_TYPE, "submit-ryw-1",
                ExpectedVersion.noStream(), List.of(NewEvent.builder(Orders.CREATED).schemaVersion(2).payload(
                    new OrderCreated("customer-ryw", "EUR", List.of(new OrderLine("sku-ryw", 3, BigDecimal.TEN))))
                    .build()));
            Document order = readModels.awaitVersion("orders", "submit-ryw-1", appended.newVersion(), PATIENCE);
            assertThat(order.getString("customerId")).isEqualTo("customer-ryw");
            Document customer = readModels.awaitApplied("orders_per_customer", "customer-ryw", appended.token(), PATIENCE);
            assertThat(customer.getLong("orders")).isEqualTo(1L);
            Document sku = readModels.awaitApplied("units_sold_per_sku", "sku-ryw", appended.token(), PATIENCE);
            assertThat(sku.getLong("orders")).isEqualTo(1L);
            // an event neither cross-aggregate projection handles: the documents its order reached still say they saw it
            AppendResult noted = stack.store.append(Orders.AGGREGATE_TYPE, "submit-ryw-1", ExpectedVersion.exactly(1),
                List.of(NewEvent.builder(Orders.NOTE_ADDED).payload(new OrderNoteAdded("ring twice")).build()));
            assertThat(readModels.awaitApplied("orders_per_customer", "customer-ryw", noted.token(), PATIENCE)
                .getLong("orders")).isEqualTo(1L);
            assertThat(readModels.awaitApplied("units_sold_per_sku", "sku-ryw", noted.token(), PATIENCE)
                .getLong("orders")).isEqualTo(1L);

            stack.awaitReadModelsMatchStore(PATIENCE);
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
            assertThat(stack.readModels().getCollection("units_sold_per_sku").countDocuments()).isPositive();

            // a document no event makes is drift, also after the audit's rechecks
            stack.readModels().getCollection("units_sold_per_sku").insertOne(new Document("_id", "sku-stray")
                .append("orders", 7L).append("eventCount", 7L));
            try (JobJars jars = JobJars.open(stack.submission())) {
                AuditResult audit = Audits.of(jars, List.of(), stack.events(), Duration.ofMillis(10), 2, 10)
                    .get("units_sold_per_sku").audit("units_sold_per_sku",
                        stack.readModels().getCollection("units_sold_per_sku", org.bson.BsonDocument.class));
                assertThat(audit.drifts()).extracting(Drift::toString)
                    .containsExactly("ahead     sku-stray  store 0, read model 7 (no event of the store makes it)");
            }
            stack.readModels().getCollection("units_sold_per_sku").deleteOne(new Document("_id", "sku-stray"));
            assertThat(stack.readModels().getCollection("orders_per_customer").countDocuments()).isPositive();

            // the same job again would publish every event twice: refused, and nothing more runs
            long active = stack.flink.jobs().stream().filter(JobInfo::isActive).count();
            Run again = ops(command);
            assertThat(again.exitCode()).isEqualTo(1);
            assertThat(again.output()).contains("' already runs on ").contains("a second one would read the same store "
                + "and publish every event again");
            assertThat(stack.flink.jobs().stream().filter(JobInfo::isActive).count()).isEqualTo(active);
            Run cancel = ops(List.of("cancel", "--flink", FLINK.cluster().restUrl(), "--job-name", stack.name()));
            assertThat(cancel.exitCode()).as(cancel.output()).isZero();
            assertThat(cancel.output()).contains("cancelled: job ").contains(" is CANCELED");
        }
    }

    @Test
    void aJarOfProjectionsOnlyRunsNextToTheStockJobJar() {
        try (ProjectionJobFixture stack = fixture("extra")) {
            List<String> command = new ArrayList<>(List.of("submit", "--flink", FLINK.cluster().restUrl(), "--jar",
                ProjectionJobFixture.JOB_JAR.toString(), "--add-jars", ProjectionJobFixture.PROJECTIONS_JAR.toString(),
                "--"));
            command.addAll(stack.jobArguments("--projections", "order;units-sold-per-sku"));
            Run run = ops(command);
            assertThat(run.exitCode()).as(run.output()).isZero();

            OrderLoadGenerator load = stack.load(60, 8).start();
            Await.until("200 events appended", PATIENCE, () -> load.eventsAppended() >= 200, () -> "");
            load.close();

            Await.until("the orders to be projected", PATIENCE,
                () -> stack.readModels().getCollection("orders").countDocuments() >= 10
                    && stack.readModels().getCollection("units_sold_per_sku").countDocuments() >= 1, () -> "");
            assertThat(stack.readModels().listCollectionNames().into(new ArrayList<>()))
                .doesNotContain("stream_summaries", "orders_per_customer");
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
        }
    }

    @Test
    void anUnknownProjectionIsRefusedBeforeAnythingRunsNamingWhatWasFoundAndWhere() {
        try (ProjectionJobFixture stack = fixture("unknown")) {
            List<String> command = new ArrayList<>(List.of("submit", "--flink", FLINK.cluster().restUrl(), "--jar",
                ProjectionJobFixture.APP_JAR.toString(), "--"));
            command.addAll(stack.jobArguments("--projections", "order;shopping-cart"));
            long jobsBefore = stack.flink.jobs().stream().filter(JobInfo::isActive).count();

            Run run = ops(command);

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.output()).contains("refused to start: option 'projections' names an unknown projection "
                + "'shopping-cart'; discovered: [").contains("order (from io.eventflow.examples.orders.projections."
                + "OrderProjections in file:").contains("orders-app.jar");
            assertThat(stack.flink.jobs().stream().filter(JobInfo::isActive).count()).isEqualTo(jobsBefore);

            // a value the job cannot parse: the message names the option and the value, not the parser's complaint only
            List<String> invalid = new ArrayList<>(List.of("submit", "--flink", FLINK.cluster().restUrl(), "--jar",
                ProjectionJobFixture.APP_JAR.toString(), "--"));
            invalid.addAll(stack.jobArguments("--ordering.gap-policy", "MAYBE"));
            Run refused = ops(invalid);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("refused to start: option 'ordering.gap-policy' has an invalid value "
                + "'MAYBE'");
        }
    }

    private record Run(int exitCode, String output) {
    }

    /** Runs an ops command as bin/ scripts do, capturing what it prints. */
    private static synchronized Run ops(List<String> arguments) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = Ops.run(arguments.toArray(String[]::new), Map.of());
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
