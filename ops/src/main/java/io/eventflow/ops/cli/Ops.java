package io.eventflow.ops.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.Document;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoNamespace;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.eventflow.core.job.JobOperators;
import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.ops.audit.AuditResult;
import io.eventflow.ops.audit.Audits;
import io.eventflow.ops.audit.Drift;
import io.eventflow.ops.inspect.JobJars;
import io.eventflow.ops.lifecycle.JobLifecycle;
import io.eventflow.ops.lifecycle.Rebuild;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.rest.JobInfo;
import io.eventflow.ops.status.JobStatus;
import io.eventflow.ops.submit.JobSubmission;
import io.eventflow.readmodels.ReadModelAliases;

/**
 * The ops commands behind {@code bin/status}, {@code bin/audit}, {@code bin/upgrade}, {@code bin/rebuild} and
 * {@code bin/recover-source}. Exit codes: 0 done (status: every job healthy), 1 failed, drift found or a job unhealthy
 * (status prints why), 2 wrong usage.
 */
public final class Ops {

    private static final int MONGODB_WAIT_SECONDS = 5;

    static final String USAGE = """
        usage: ops <command> [--option value ...] [-- job arguments]
          submit          run a job jar (flink run over REST)                      --jar [--add-jars --parallelism
                                                                                    --savepoint --allow-non-restored-state] -- args
          status          job state, checkpoints, lag, gaps, bad input, health;    [--job]
                          exit 1 if a job is unhealthy
          audit           read models vs the store; exit 1 on drift                --jar [--add-jars --projections --settle
                                                                                    --rechecks --report] (or --read-models)
          upgrade         stop with savepoint, start --jar from it (a failing or   --jar [--add-jars --job --savepoint-dir] -- args
                          restarting job: from its latest retained checkpoint)
          rebuild         zero-downtime rebuild into <collection>_v<N>             --jar [--add-jars --projections --job
                                                                                    --max-lag --retire-after --gate-timeout] -- args
          recover-source  restart with a fresh source (expired resume token)       --jar [--add-jars --job --new-source-uid] -- args
          cancel          cancel the job (its last checkpoint is kept)             [--job]
        common: --flink http://127.0.0.1:8081  --mongodb-uri mongodb://127.0.0.1:27017/?replicaSet=rs0
                --events eventstore.events  --readmodel-database readmodels  --job-name eventflow-projections
        --jar: the job jar (your application jar, or projection-job.jar); --add-jars a.jar,b.jar: jars loaded with it
        (a jar of projections only, for example); --projections a;b: the projections the job runs, if not all
        every option can also come from EVENTFLOW_<OPTION> (EVENTFLOW_FLINK, EVENTFLOW_MONGODB_URI, ...)""";

    private static final Set<String> COMMON = Set.of("flink", "mongodb-uri", "events", "readmodel-database", "job",
        "job-name", "timeout");

    private Ops() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Runs a command; returns the exit code. */
    public static int run(String[] args, Map<String, String> environment) {
        List<String> all = Arrays.asList(args);
        List<String> own = all.contains("--") ? all.subList(0, all.indexOf("--")) : all; // not the job's arguments
        if (own.contains("--help") || own.contains("-h")) {
            System.out.println(USAGE);
            return 0;
        }
        try {
            Arguments arguments = new Arguments(args, environment);
            return switch (arguments.command()) {
                case "submit" -> submit(arguments);
                case "status" -> status(arguments);
                case "audit" -> audit(arguments);
                case "upgrade" -> upgrade(arguments);
                case "rebuild" -> rebuild(arguments);
                case "recover-source" -> recoverSource(arguments);
                case "cancel" -> cancel(arguments);
                default -> throw new Arguments.UsageException("unknown command '" + arguments.command() + "'");
            };
        } catch (Arguments.UsageException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            return 2;
        } catch (MongoTimeoutException e) {
            System.err.println("failed: MongoDB did not answer within " + MONGODB_WAIT_SECONDS + " s (is it running, and is "
                + "--mongodb-uri right?): " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("failed: " + e.getMessage());
            return 1;
        }
    }

    private static int submit(Arguments arguments) {
        arguments.allowOnly(union(COMMON, "jar", "add-jars", "parallelism", "savepoint", "allow-non-restored-state"));
        JobSubmission submission = submission(arguments);
        String savepoint = arguments.get("savepoint", null);
        if (savepoint != null) {
            submission = submission.restoredFrom(savepoint, Boolean.parseBoolean(arguments.get("allow-non-restored-state",
                "false")));
        }
        int parallelism = (int) arguments.getLong("parallelism", -1);
        submission = new JobSubmission(submission.jar(), submission.extraJars(), submission.arguments(),
            submission.restorePath(), submission.allowNonRestoredState(), parallelism);
        try (FlinkRestClient flink = flink(arguments)) {
            String job = lifecycle(arguments, flink).start(submission);
            System.out.println("submitted: job " + job + " on " + flink.baseUrl());
            return 0;
        }
    }

    private static int status(Arguments arguments) {
        arguments.allowOnly(COMMON);
        try (FlinkRestClient flink = flink(arguments); MongoClient mongo = mongo(arguments)) {
            JobStatus status = new JobStatus(flink, events(arguments, mongo));
            List<String> jobs = arguments.get("job", null) != null ? List.of(arguments.get("job", null))
                : flink.jobs().stream().filter(JobInfo::isActive).map(JobInfo::id).toList();
            if (jobs.isEmpty()) {
                System.out.println("no job is running on " + flink.baseUrl());
                return 1;
            }
            boolean healthy = true;
            for (String job : jobs) {
                JobStatus.Report report = status.report(job);
                report.lines().forEach(System.out::println);
                healthy &= report.health().healthy();
            }
            return healthy ? 0 : 1;
        }
    }

    private static int audit(Arguments arguments) {
        arguments.allowOnly(union(COMMON, "jar", "add-jars", "projections", "read-models", "settle", "rechecks", "report"));
        Duration settle = arguments.getDuration("settle", Duration.ofSeconds(2));
        int rechecks = (int) arguments.getLong("rechecks", 3);
        int report = (int) arguments.getLong("report", 20);
        try (MongoClient mongo = mongo(arguments)) {
            MongoDatabase readModels = mongo.getDatabase(arguments.get("readmodel-database", "readmodels"));
            MongoCollection<Document> events = events(arguments, mongo);
            ReadModelAliases aliases = new ReadModelAliases(readModels);
            if (arguments.get("jar", null) == null) {
                if (arguments.get("read-models", null) == null) {
                    throw new Arguments.UsageException("audit needs --jar (the job's read models are its projections) "
                        + "or --read-models name:aggregateType,...");
                }
                return printAudits(Audits.byAggregateType(readModels(arguments), events, settle, rechecks, report),
                    readModels, aliases);
            }
            try (JobJars jars = JobJars.open(submission(arguments))) {
                return printAudits(Audits.of(jars, projections(arguments), events, settle, rechecks, report), readModels,
                    aliases);
            }
        }
    }

    private static int printAudits(Map<String, Audits.Audit> audits, MongoDatabase readModels, ReadModelAliases aliases) {
        boolean clean = true;
        for (Map.Entry<String, Audits.Audit> readModel : audits.entrySet()) {
            String collection = aliases.resolve(readModel.getKey());
            AuditResult result = readModel.getValue().audit(readModel.getKey(),
                readModels.getCollection(collection, BsonDocument.class));
            System.out.println(readModels.getName() + "." + readModel.getKey()
                + (collection.equals(readModel.getKey()) ? "" : " (alias of " + collection + ")") + ": "
                + result.documents() + " documents, " + (result.clean() ? "no drift" : result.driftCount() + " drifting"));
            for (Drift drift : result.drifts()) {
                System.out.println("  " + drift);
            }
            if (result.driftCount() > result.drifts().size()) {
                System.out.println("  ... and " + (result.driftCount() - result.drifts().size()) + " more");
            }
            clean &= result.clean();
        }
        if (!clean) {
            System.out.println("drift that persists is repaired by rebuilding the read models from the store: bin/rebuild "
                + "(README, Operations)");
        }
        return clean ? 0 : 1;
    }

    private static int upgrade(Arguments arguments) {
        arguments.allowOnly(union(COMMON, "jar", "add-jars", "savepoint-dir"));
        try (FlinkRestClient flink = flink(arguments)) {
            String job = liveJob(arguments, flink);
            String upgraded = lifecycle(arguments, flink).upgrade(job, submission(arguments),
                arguments.get("savepoint-dir", null));
            System.out.println("upgraded: job " + job + " is now job " + upgraded);
            return 0;
        }
    }

    private static int cancel(Arguments arguments) {
        arguments.allowOnly(COMMON);
        try (FlinkRestClient flink = flink(arguments)) {
            String job = liveJob(arguments, flink);
            flink.cancel(job);
            JobInfo cancelled = flink.awaitState(job, state -> state.equals("CANCELED") || state.equals("FAILED")
                || state.equals("FINISHED"), "cancelled", arguments.getDuration("timeout", Duration.ofMinutes(5)));
            System.out.println("cancelled: job " + job + " is " + cancelled.state() + "; its last checkpoint is kept, "
                + "to restore with bin/submit --savepoint <checkpoint>");
            return 0;
        }
    }

    private static int recoverSource(Arguments arguments) {
        arguments.allowOnly(union(COMMON, "jar", "add-jars", "new-source-uid", "savepoint-dir"));
        try (FlinkRestClient flink = flink(arguments)) {
            String job = liveJob(arguments, flink);
            String sourceUid = arguments.get("new-source-uid", JobOperators.SOURCE_UID + "-"
                + System.currentTimeMillis() / 1000);
            String recovered = lifecycle(arguments, flink).recoverSource(job, submission(arguments), sourceUid,
                arguments.get("savepoint-dir", null));
            System.out.println("recovered: job " + recovered + " reads the store again with source " + sourceUid
                + "; events applied before are dropped as duplicates");
            return 0;
        }
    }

    private static int rebuild(Arguments arguments) {
        arguments.allowOnly(union(COMMON, "jar", "add-jars", "projections", "max-lag", "retire-after", "gate-timeout",
            "savepoint-dir"));
        JobSubmission submission = submission(arguments);
        try (FlinkRestClient flink = flink(arguments); MongoClient mongo = mongo(arguments);
             JobJars jars = JobJars.open(submission)) {
            MongoCollection<Document> events = events(arguments, mongo);
            String live = liveJob(arguments, flink);
            Rebuild.Builder rebuild = Rebuild.builder().flink(flink).events(events)
                .readModels(mongo.getDatabase(arguments.get("readmodel-database", "readmodels")))
                .submission(submission)
                .liveJob(live).maxLag(arguments.getLong("max-lag", 0))
                .retireAfter(arguments.getDuration("retire-after", Duration.ofMinutes(5)))
                .gateTimeout(arguments.getDuration("gate-timeout", Duration.ofHours(6)))
                .operationTimeout(arguments.getDuration("timeout", Duration.ofMinutes(5)))
                .savepointDirectory(arguments.get("savepoint-dir", null)).progress(System.out::println);
            Audits.of(jars, projections(arguments), events, Rebuild.auditSettle(flink.checkpointInterval(live)), 3, 5)
                .forEach(rebuild::readModel);
            Rebuild.Result result = rebuild.build().run();
            System.out.println("rebuilt version " + result.version() + ": read models by job " + result.readModelJobId()
                + ", Kafka by job " + result.kafkaJobId());
            return 0;
        }
    }

    // --- shared ---

    private static FlinkRestClient flink(Arguments arguments) {
        return new FlinkRestClient(arguments.get("flink", "http://127.0.0.1:8081"));
    }

    /** The job jar, its extra jars and the job's arguments. */
    private static JobSubmission submission(Arguments arguments) {
        List<Path> extraJars = new ArrayList<>();
        String extra = arguments.get("add-jars", null);
        if (extra != null) {
            for (String jar : extra.split(",")) {
                if (!jar.isBlank()) {
                    extraJars.add(Path.of(jar.trim()));
                }
            }
        }
        List<String> jobArguments = new ArrayList<>(arguments.jobArguments());
        String projections = arguments.get("projections", null);
        if (projections != null && !jobArguments.contains("--" + JobOptionKeys.PROJECTIONS)) {
            jobArguments.addAll(List.of("--" + JobOptionKeys.PROJECTIONS, projections));
        }
        try {
            return JobSubmission.of(Path.of(arguments.require("jar")), extraJars, jobArguments);
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException(e.getMessage());
        }
    }

    /** The projections named by --projections; empty: all the jars have. */
    private static List<String> projections(Arguments arguments) {
        String projections = arguments.get("projections", null);
        return projections == null ? List.of() : Arrays.stream(projections.split("[;,]")).map(String::trim)
            .filter(name -> !name.isEmpty()).toList();
    }

    private static JobLifecycle lifecycle(Arguments arguments, FlinkRestClient flink) {
        return new JobLifecycle(flink, System.out::println, arguments.getDuration("timeout", Duration.ofMinutes(5)));
    }

    /**
     * A client that gives up on an unreachable MongoDB after {@value #MONGODB_WAIT_SECONDS} s (the driver's default is
     * 30 s), unless the uri sets serverSelectionTimeoutMS: a command should fail fast, saying where it looked.
     */
    private static MongoClient mongo(Arguments arguments) {
        ConnectionString uri = new ConnectionString(arguments.get("mongodb-uri", "mongodb://127.0.0.1:27017/?replicaSet=rs0"));
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(uri);
        if (uri.getServerSelectionTimeout() == null) {
            settings.applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(MONGODB_WAIT_SECONDS, TimeUnit.SECONDS));
        }
        return MongoClients.create(settings.build());
    }

    private static MongoCollection<Document> events(Arguments arguments, MongoClient mongo) {
        String value = arguments.get("events", "eventstore.events");
        if (!value.contains(".")) {
            throw new Arguments.UsageException("option --events has an invalid value '" + value + "': use database.collection");
        }
        MongoNamespace namespace = new MongoNamespace(value);
        return mongo.getDatabase(namespace.getDatabaseName()).getCollection(namespace.getCollectionName());
    }

    /** {@code orders:Order,stream_summaries}: read models and the aggregate type each covers (none: all). */
    static Map<String, String> readModels(Arguments arguments) {
        Map<String, String> readModels = new LinkedHashMap<>();
        for (String entry : arguments.require("read-models").split(",")) {
            String[] parts = entry.trim().split(":", 2);
            if (parts[0].isBlank()) {
                throw new Arguments.UsageException("option --read-models has an empty entry: use name[:aggregateType],...");
            }
            readModels.put(parts[0], parts.length == 2 && !parts[1].isBlank() ? parts[1] : null);
        }
        return readModels;
    }

    /** The job named by --job, else the newest active job named --job-name. */
    private static String liveJob(Arguments arguments, FlinkRestClient flink) {
        String job = arguments.get("job", null);
        if (job != null) {
            return job;
        }
        String name = arguments.get("job-name", "eventflow-projections");
        return flink.jobs().stream().filter(info -> info.isActive() && info.name().equals(name)).map(JobInfo::id)
            .findFirst().orElseThrow(() -> new IllegalStateException("no active job named '" + name + "' on "
                + flink.baseUrl() + "; name one with --job"));
    }

    private static Set<String> union(Set<String> common, String... more) {
        return Set.copyOf(Stream.concat(common.stream(), Stream.of(more)).toList());
    }
}
