package dev.sdfleet.worker.testing;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobId;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.ProtocolMessage;
import java.time.Instant;

/** Jobs for the tiny model: 64x64, 20 steps, guidance 7.5, the model's own scheduler, unless changed. */
public final class TestJobs {
    /** The model id jobs name: the tiny model's folder name, which the worker takes as its model id. */
    public static final String TINY_SD = "tiny-sd";

    private TestJobs() {}

    public static Job job(String requestId, int index, String prompt, long seed) {
        return sized(requestId, index, prompt, seed, 64, 20);
    }

    /** A job of another size and step count (a longer one, for tests that need a job to be running for a while). */
    public static Job sized(String requestId, int index, String prompt, long seed, int side, int steps) {
        return new Job(
                ProtocolMessage.CURRENT_SCHEMA_VERSION,
                JobId.of(requestId, index),
                requestId,
                "test",
                index,
                index + 1,
                prompt,
                "",
                side,
                side,
                steps,
                7.5,
                null,
                seed,
                TINY_SD,
                Priority.NORMAL,
                null,
                Instant.now(),
                1);
    }

    /** The same job with another model name. */
    public static Job withModel(Job job, String model) {
        return copy(job, model, job.priority(), job.deadline());
    }

    /** The same job with a deadline. */
    public static Job withDeadline(Job job, Instant deadline) {
        return copy(job, job.model(), job.priority(), deadline);
    }

    /** The same job at another priority. */
    public static Job withPriority(Job job, Priority priority) {
        return copy(job, job.model(), priority, job.deadline());
    }

    private static Job copy(Job job, String model, Priority priority, Instant deadline) {
        return new Job(
                job.schemaVersion(),
                job.jobId(),
                job.requestId(),
                job.tenant(),
                job.imageIndex(),
                job.imageCount(),
                job.prompt(),
                job.negativePrompt(),
                job.width(),
                job.height(),
                job.steps(),
                job.guidance(),
                job.scheduler(),
                job.seed(),
                model,
                priority,
                deadline,
                job.enqueuedAt(),
                job.attempt());
    }
}
