package io.eventflow.ops.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.rest.FlinkRestException;
import io.eventflow.ops.rest.JobInfo;
import io.eventflow.ops.status.Health;
import io.eventflow.ops.status.JobStatus;
import io.eventflow.ops.submit.JobSubmission;

/**
 * Savepoint upgrades and recovery from an expired resume token, on Flink's REST API. Each step is reported to a
 * progress consumer (the CLI prints it), so an operator always knows which savepoint to fall back to.
 */
public final class JobLifecycle {

    private final FlinkRestClient flink;
    private final Consumer<String> progress;
    private final Duration timeout;

    public JobLifecycle(FlinkRestClient flink, Consumer<String> progress, Duration timeout) {
        this.flink = flink;
        this.progress = progress;
        this.timeout = timeout;
    }

    /**
     * Deploys the submission in place of the job, with all its state. A healthy job is stopped with a savepoint and
     * the submission started from it: every operator keeps its state (the uids are stable), so ordering, projections
     * and the Kafka transactions carry on where they stopped.
     *
     * <p>A job that cannot take a savepoint (restarting or failing, not all tasks running, failed since its last
     * completed checkpoint), or whose savepoint fails, is what most needs a fix: it is cancelled (its checkpoints are
     * retained) and the submission is started from its latest retained checkpoint. Kafka transactions that checkpoint
     * covered are committed on restore, later ones aborted; everything after it is read again from the source.
     *
     * @return the new job's id
     */
    public String upgrade(String jobId, JobSubmission submission, String savepointDirectory) {
        Health health = new JobStatus(flink, null).health(jobId);
        if (health.canTakeSavepoint()) {
            try {
                String savepoint = stopWithSavepoint(jobId, savepointDirectory);
                return start(submission.restoredFrom(savepoint, false));
            } catch (FlinkRestException e) {
                progress.accept("no savepoint (" + e.getMessage() + ")");
            }
        } else {
            progress.accept("job " + jobId + " cannot take a savepoint: " + String.join("; ", health.problems()));
        }
        return startFromLatestCheckpoint(jobId, submission);
    }

    /** Cancels the job if it is still alive, then starts the submission from its latest retained checkpoint. */
    private String startFromLatestCheckpoint(String jobId, JobSubmission submission) {
        JobInfo job = flink.job(jobId);
        if (job.isActive()) {
            flink.cancel(jobId);
            flink.awaitState(jobId, state -> !JobInfo.isActive(state), "cancelled", timeout);
            progress.accept("cancelled job " + jobId + " (" + job.state() + "; its checkpoints are retained)");
        }
        // only now: a checkpoint that completed while the job was being cancelled is the latest
        String restorePoint = latestRestorePoint(jobId);
        progress.accept("deploying from the latest retained checkpoint of job " + jobId + ": " + restorePoint);
        return start(submission.restoredFrom(restorePoint, false));
    }

    /**
     * Restarts the job with a fresh change-stream source, for when its resume token has left the oplog: from the
     * job's last savepoint or retained checkpoint, with the source under a new uid and startup mode {@code initial}.
     * The old source's state is dropped (allowNonRestoredState); the ordering and projection state is kept, so the
     * snapshot's events that were applied already are dropped as duplicates: nothing is lost or applied twice.
     *
     * @return the new job's id
     */
    public String recoverSource(String jobId, JobSubmission submission, String newSourceUid, String savepointDirectory) {
        JobInfo job = flink.job(jobId);
        String restorePoint = null;
        if (job.state().equals("RUNNING")) {
            try {
                restorePoint = stopWithSavepoint(jobId, savepointDirectory);
            } catch (FlinkRestException e) {
                // a source that cannot resume fails the savepoint too: fall back to the last retained checkpoint
                progress.accept("no savepoint (" + e.getMessage() + ")");
                job = flink.job(jobId);
            }
        }
        if (restorePoint == null) {
            restorePoint = latestRestorePoint(jobId);
            progress.accept("job " + jobId + " is " + job.state() + "; restoring from its latest checkpoint " + restorePoint);
            if (job.isActive()) {
                flink.cancel(jobId);
                flink.awaitState(jobId, state -> !JobInfo.isActive(state), "cancelled", timeout);
                progress.accept("cancelled job " + jobId + " (its checkpoints are retained)");
            }
        }
        List<String> withFreshSource = new ArrayList<>(submission.arguments());
        withFreshSource.addAll(List.of("--" + JobOptionKeys.SOURCE_UID, newSourceUid, "--" + JobOptionKeys.SOURCE_STARTUP_MODE,
            JobOptionKeys.STARTUP_INITIAL));
        return start(submission.withArguments(withFreshSource).restoredFrom(restorePoint, true));
    }

    /** Stops the job with a savepoint and returns its path. */
    public String stopWithSavepoint(String jobId, String savepointDirectory) {
        progress.accept("stopping job " + jobId + " with a savepoint");
        String savepoint = flink.stopWithSavepoint(jobId, savepointDirectory, timeout);
        progress.accept("savepoint " + savepoint);
        return savepoint;
    }

    /** Submits a job (from its restore point, if it has one) and waits until all its tasks run. */
    public String start(JobSubmission submission) {
        String restorePoint = submission.restorePath();
        String newJob;
        try {
            newJob = flink.submit(submission);
        } catch (FlinkRestException e) {
            throw new FlinkRestException(e.getMessage() + (restorePoint == null ? ""
                : "; the job can be started again from " + restorePoint), e);
        }
        progress.accept("started job " + newJob + " from " + submission.jar().getFileName()
            + (restorePoint == null ? " with fresh state" : " restored from " + restorePoint));
        flink.awaitAllTasksRunning(newJob, timeout);
        progress.accept("job " + newJob + " is running");
        return newJob;
    }

    /** The newest retained checkpoint or savepoint of the job, or the one it was restored from. */
    public String latestRestorePoint(String jobId) {
        JsonNode latest = flink.checkpoints(jobId).path("latest");
        String best = null;
        long bestTime = -1;
        for (String kind : List.of("completed", "savepoint", "restored")) {
            JsonNode checkpoint = latest.path(kind);
            String path = checkpoint.path("external_path").asText(null);
            long time = checkpoint.path(kind.equals("restored") ? "restore_timestamp" : "latest_ack_timestamp").asLong(0);
            if (path != null && !path.isBlank() && !path.equals("<checkpoint-not-externally-addressable>") && time > bestTime) {
                best = path;
                bestTime = time;
            }
        }
        if (best == null) {
            throw new FlinkRestException("job " + jobId + " has no retained checkpoint or savepoint to restore from");
        }
        return best;
    }
}
