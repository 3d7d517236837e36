package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;
import java.util.List;
import java.util.function.Function;

/**
 * The log fields of the jobs a worker thread is busy with (request, job, tenant, trace and the worker's span), for
 * try-with-resources around everything done for them: intake, inference, upload, result.
 */
public final class JobLogContext {
    private JobLogContext() {}

    public static LogContext.Scope open(QueuedJob job) {
        return open(job.job(), job.trace());
    }

    public static LogContext.Scope open(Job job, TraceParent trace) {
        return LogContext.create()
                .request(job.requestId())
                .job(job.jobId())
                .tenant(job.tenant())
                .trace(trace.traceId(), trace.parentId())
                .open();
    }

    /** A micro-batch: each field lists the distinct values of its jobs, comma-separated, in the batch's order. */
    public static LogContext.Scope open(List<QueuedJob> jobs) {
        if (jobs.size() == 1) {
            return open(jobs.getFirst());
        }
        return LogContext.create()
                .request(joined(jobs, j -> j.job().requestId()))
                .job(joined(jobs, j -> j.job().jobId()))
                .tenant(joined(jobs, j -> j.job().tenant()))
                .trace(
                        joined(jobs, j -> j.trace().traceId()),
                        joined(jobs, j -> j.trace().parentId()))
                .open();
    }

    private static String joined(List<QueuedJob> jobs, Function<QueuedJob, String> field) {
        return String.join(",", jobs.stream().map(field).distinct().toList());
    }
}
