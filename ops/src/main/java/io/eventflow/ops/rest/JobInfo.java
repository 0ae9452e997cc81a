package io.eventflow.ops.rest;

/**
 * A job as {@code /jobs/overview} lists it.
 *
 * @param id the job id
 * @param name the job's name (option {@code job.name})
 * @param state Flink's job status: RUNNING, RESTARTING, FAILING, FINISHED, CANCELED, ...
 * @param startTimeMillis when it started, epoch milliseconds
 */
public record JobInfo(String id, String name, String state, long startTimeMillis) {

    /** Whether the job is still alive: not finished, cancelled or failed for good. */
    public boolean isActive() {
        return isActive(state);
    }

    /** Whether a job in this state is still alive. */
    public static boolean isActive(String state) {
        return !(state.equals("FINISHED") || state.equals("CANCELED") || state.equals("FAILED"));
    }
}
