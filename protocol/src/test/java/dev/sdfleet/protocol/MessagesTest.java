package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of the messages other than requests and jobs. */
class MessagesTest {

    @Test
    void aSucceededResultNeedsAnOutputAndNoError() {
        Job job = Samples.job();
        assertFieldError(
                "output",
                "required",
                () -> new JobResult(
                        1,
                        job.jobId(),
                        job.requestId(),
                        1,
                        1,
                        JobStatus.SUCCEEDED,
                        "w",
                        0,
                        null,
                        null,
                        null,
                        Samples.T0));
        assertFieldError(
                "error",
                "absent",
                () -> new JobResult(
                        1,
                        job.jobId(),
                        job.requestId(),
                        1,
                        1,
                        JobStatus.SUCCEEDED,
                        "w",
                        0,
                        null,
                        Samples.storedImage(1),
                        new Failure(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
    }

    @Test
    void aFailedResultNeedsAnErrorAndNoOutput() {
        Job job = Samples.job();
        assertFieldError(
                "error",
                "required",
                () -> new JobResult(
                        1, job.jobId(), job.requestId(), 1, 1, JobStatus.FAILED, "w", 0, null, null, null, Samples.T0));
        assertFieldError(
                "output",
                "absent",
                () -> new JobResult(
                        1,
                        job.jobId(),
                        job.requestId(),
                        1,
                        1,
                        JobStatus.FAILED,
                        "w",
                        0,
                        null,
                        Samples.storedImage(1),
                        new Failure(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
    }

    @Test
    void resultFieldsAreChecked() {
        assertFieldError(
                "job_id",
                () -> new JobResult(
                        1,
                        "req-42/0",
                        "req-42",
                        1,
                        1,
                        JobStatus.FAILED,
                        "w",
                        0,
                        null,
                        null,
                        Failure.of(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
        assertFieldError(
                "queue_wait_ms",
                () -> new JobResult(
                        1,
                        "r/0",
                        "r",
                        0,
                        1,
                        JobStatus.FAILED,
                        "w",
                        -1,
                        null,
                        null,
                        Failure.of(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
        assertFieldError(
                "stage_ms.Denoise",
                () -> new JobResult(
                        1,
                        "r/0",
                        "r",
                        0,
                        1,
                        JobStatus.FAILED,
                        "w",
                        0,
                        Map.of("Denoise", 5L),
                        null,
                        Failure.of(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
        assertFieldError(
                "stage_ms.denoise",
                () -> new JobResult(
                        1,
                        "r/0",
                        "r",
                        0,
                        1,
                        JobStatus.FAILED,
                        "w",
                        0,
                        Map.of("denoise", -5L),
                        null,
                        Failure.of(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
        assertFieldError(
                "worker_id",
                () -> new JobResult(
                        1,
                        "r/0",
                        "r",
                        0,
                        1,
                        JobStatus.FAILED,
                        null,
                        0,
                        null,
                        null,
                        Failure.of(FailureReason.INTERNAL, "x", false),
                        Samples.T0));
    }

    @Test
    void storedImagesAreChecked() {
        assertFieldError("bucket", () -> new StoredImage("No_Caps", "k", "s3://b/k", Samples.SHA, 1, "image/png"));
        assertFieldError(
                "sha256", () -> new StoredImage("bucket", "k", "s3://b/k", Samples.SHA.toUpperCase(), 1, "image/png"));
        assertFieldError("size_bytes", () -> new StoredImage("bucket", "k", "s3://b/k", Samples.SHA, 0, "image/png"));
        assertFieldError("url", () -> new StoredImage("bucket", "k", "relative/path", Samples.SHA, 1, "image/png"));
        assertFieldError("content_type", () -> new StoredImage("bucket", "k", "s3://b/k", Samples.SHA, 1, "text/html"));
    }

    @Test
    void failureMessagesAreMadeToFit() {
        assertEquals("INTERNAL", Failure.of(FailureReason.INTERNAL, "  ", false).message());
        assertEquals(
                Failure.MAX_MESSAGE_LENGTH,
                Failure.of(FailureReason.INTERNAL, "x".repeat(10_000), true)
                        .message()
                        .length());
        assertFieldError("message", () -> new Failure(FailureReason.INTERNAL, "", false));
        assertFieldError("reason", () -> new Failure(null, "x", false));
    }

    @Test
    void progressStaysWithinItsSteps() {
        assertFieldError("step", () -> new JobProgress(1, "r/0", "r", null, 21, 20, Samples.T0));
        assertFieldError("total_steps", () -> new JobProgress(1, "r/0", "r", null, 0, 0, Samples.T0));
        assertFieldError("job_id", "belong", () -> new JobProgress(1, "other/0", "r", 2, 1, 20, Samples.T0));
        assertFieldError("at", () -> new JobProgress(1, "r/0", "r", null, 1, 20, null));
    }

    @Test
    void cancelsCoverTheirRequestOrOneJob() {
        Job job = Samples.job();
        assertTrue(Samples.cancelRequest().covers(job));
        assertFalse(Samples.cancelJob().covers(job), "req-42/2 is another job");
        assertTrue(CancelRequest.ofJob(job.jobId(), null, Samples.T0).covers(job));
        assertFieldError("job_id", "belong", () -> new CancelRequest(1, "req-42", "other/1", null, Samples.T0));
        assertFieldError("reason", () -> CancelRequest.ofRequest("r", "x".repeat(513), Samples.T0));
        assertFieldError("requested_at", () -> CancelRequest.ofRequest("r", null, null));
    }

    @Test
    void aGenerationNeedsItsIdentityAndImages() {
        Generation completed = Samples.completed();
        assertEquals(GenerationStatus.COMPLETED, completed.status());
        assertTrue(completed.status().finished());
        assertFalse(Samples.running().status().finished());
        assertFieldError("images", () -> withImages(completed, List.of()));
        assertFieldError("images[0]", () -> withImages(completed, java.util.Arrays.asList((Generation.Image) null)));
        assertFieldError(
                "status",
                () -> new Generation(
                        1,
                        "r",
                        "t",
                        null,
                        "m",
                        "p",
                        null,
                        1,
                        64,
                        64,
                        1,
                        null,
                        null,
                        Priority.LOW,
                        1L,
                        null,
                        Samples.T0,
                        null,
                        null,
                        completed.images(),
                        null,
                        null));
    }

    private static Generation withImages(Generation g, List<Generation.Image> images) {
        return new Generation(
                g.schemaVersion(),
                g.id(),
                g.tenant(),
                g.status(),
                g.model(),
                g.prompt(),
                g.negativePrompt(),
                g.n(),
                g.width(),
                g.height(),
                g.steps(),
                g.guidance(),
                g.scheduler(),
                g.priority(),
                g.seed(),
                g.deadline(),
                g.acceptedAt(),
                g.finishedAt(),
                g.cancelReason(),
                images,
                g.webhook(),
                g.metadata());
    }

    @Test
    void deadLettersKeepNullsAndCheckTheirBase64() {
        DeadLetter tombstone =
                DeadLetter.of("sdfleet.jobs", 0, 0, null, null, null, new IllegalStateException(), null, Samples.T0);
        assertNull(tombstone.keyBytes());
        assertNull(tombstone.valueBytes());
        assertEquals("IllegalStateException", tombstone.error());
        assertEquals(DeadLetterReason.PROCESSING_FAILED, tombstone.reason());
        assertFieldError(
                "value_base64",
                () -> new DeadLetter(
                        1,
                        "t",
                        0,
                        0,
                        DeadLetterReason.INVALID_MESSAGE,
                        null,
                        null,
                        "AB==",
                        1,
                        false,
                        null,
                        0,
                        "e",
                        null,
                        null,
                        Samples.T0));
        assertFieldError(
                "key_base64",
                () -> new DeadLetter(
                        1,
                        "t",
                        0,
                        0,
                        DeadLetterReason.INVALID_MESSAGE,
                        "not base64!",
                        1,
                        null,
                        null,
                        false,
                        null,
                        0,
                        "e",
                        null,
                        null,
                        Samples.T0));
        assertFieldError(
                "topic",
                () -> new DeadLetter(
                        1,
                        "bad topic",
                        0,
                        0,
                        DeadLetterReason.INVALID_MESSAGE,
                        null,
                        null,
                        null,
                        null,
                        false,
                        null,
                        0,
                        "e",
                        null,
                        null,
                        Samples.T0));
        assertFieldError(
                "offset",
                () -> new DeadLetter(
                        1,
                        "t",
                        0,
                        -1,
                        DeadLetterReason.INVALID_MESSAGE,
                        null,
                        null,
                        null,
                        null,
                        false,
                        null,
                        0,
                        "e",
                        null,
                        null,
                        Samples.T0));
        assertFieldError(
                "headers.h",
                () -> new DeadLetter(
                        1,
                        "t",
                        0,
                        0,
                        DeadLetterReason.INVALID_MESSAGE,
                        null,
                        null,
                        null,
                        null,
                        false,
                        Map.of("h", "%%"),
                        0,
                        "e",
                        null,
                        null,
                        Samples.T0));
    }
}
