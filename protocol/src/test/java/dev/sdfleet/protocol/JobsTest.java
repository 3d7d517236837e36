package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobsTest {

    @Test
    void oneJobPerImageWithDeterministicIds() {
        List<Job> jobs = Jobs.split(Samples.fullRequest(), 0, Samples.T0);
        assertEquals(
                List.of("req-42/0", "req-42/1", "req-42/2"),
                jobs.stream().map(Job::jobId).toList());
        assertEquals(jobs, Jobs.split(Samples.fullRequest(), 0, Samples.T0), "splitting again gives the same jobs");
        for (Job job : jobs) {
            assertEquals(3, job.imageCount());
            assertEquals(1, job.attempt());
            assertEquals("acme", job.tenant());
            assertEquals(SchedulerName.EULER_ANCESTRAL, job.scheduler());
            assertEquals(Priority.HIGH, job.priority());
            assertEquals(Samples.T0, job.enqueuedAt());
        }
    }

    @Test
    void seedsCountUpFromTheRequestSeedAndWrapAt32Bits() {
        List<Job> jobs = Jobs.split(Samples.fullRequest(), 123, Samples.T0);
        assertEquals(
                List.of(4_294_967_294L, 4_294_967_295L, 0L),
                jobs.stream().map(Job::seed).toList());
    }

    @Test
    void aRequestWithoutSeedUsesTheDrawnOne() {
        GenerationRequest request = Samples.minimalRequest().toBuilder()
                .requestId("r")
                .tenant("t")
                .n(2)
                .build();
        assertEquals(
                List.of(77L, 78L),
                Jobs.split(request, 77, Samples.T0).stream().map(Job::seed).toList());
    }

    @Test
    void splittingNeedsTheIdsTheDispatcherAssigns() {
        assertFieldError("request_id", () -> Jobs.split(Samples.minimalRequest().withTenant("t"), 1, Samples.T0));
        assertFieldError("tenant", () -> Jobs.split(Samples.minimalRequest().withRequestId("r"), 1, Samples.T0));
        assertFieldError("seed", () -> Jobs.split(Samples.fullRequest(), -1, Samples.T0));
    }

    @Test
    void jobIdsParseBack() {
        assertEquals(new JobId("req-42", 15), JobId.parse("req-42/15"));
        assertEquals("req-42/3", JobId.of("req-42", 3));
        for (String bad : new String[] {"req-42", "req-42/", "req-42/03", "req-42/16", "/3", "a/b/3", "req-42/-1"}) {
            assertFieldError("job_id", () -> JobId.parse(bad));
        }
    }

    @Test
    void theJobIdMustMatchRequestAndIndex() {
        Job job = Samples.job();
        assertFieldError(
                "job_id",
                "req-42/1",
                () -> new Job(
                        1,
                        "req-42/2",
                        job.requestId(),
                        job.tenant(),
                        1,
                        3,
                        job.prompt(),
                        job.negativePrompt(),
                        768,
                        512,
                        25,
                        6.5,
                        null,
                        1,
                        "tiny-sd",
                        Priority.NORMAL,
                        null,
                        Samples.T0,
                        1));
    }

    @Test
    void theImageIndexLiesWithinTheCount() {
        assertFieldError(
                "image_index",
                () -> new Job(
                        1,
                        "r/2",
                        "r",
                        "t",
                        2,
                        2,
                        "p",
                        "",
                        512,
                        512,
                        20,
                        7,
                        null,
                        1,
                        "m",
                        Priority.NORMAL,
                        null,
                        Samples.T0,
                        1));
    }

    @Test
    void jobFieldsAreChecked() {
        Errors.assertFieldError(
                "attempt",
                () -> new Job(
                        1,
                        "r/0",
                        "r",
                        "t",
                        0,
                        1,
                        "p",
                        "",
                        512,
                        512,
                        20,
                        7,
                        null,
                        1,
                        "m",
                        Priority.NORMAL,
                        null,
                        Samples.T0,
                        0));
        Errors.assertFieldError(
                "enqueued_at",
                () -> new Job(
                        1,
                        "r/0",
                        "r",
                        "t",
                        0,
                        1,
                        "p",
                        "",
                        512,
                        512,
                        20,
                        7,
                        null,
                        1,
                        "m",
                        Priority.NORMAL,
                        null,
                        null,
                        1));
        Errors.assertFieldError(
                "negative_prompt",
                () -> new Job(
                        1,
                        "r/0",
                        "r",
                        "t",
                        0,
                        1,
                        "p",
                        null,
                        512,
                        512,
                        20,
                        7,
                        null,
                        1,
                        "m",
                        Priority.NORMAL,
                        null,
                        Samples.T0,
                        1));
        Errors.assertFieldError(
                "priority",
                () -> new Job(
                        1, "r/0", "r", "t", 0, 1, "p", "", 512, 512, 20, 7, null, 1, "m", null, null, Samples.T0, 1));
        Errors.assertFieldError(
                "seed",
                () -> new Job(
                        1,
                        "r/0",
                        "r",
                        "t",
                        0,
                        1,
                        "p",
                        "",
                        512,
                        512,
                        20,
                        7,
                        null,
                        1L << 32,
                        "m",
                        Priority.NORMAL,
                        null,
                        Samples.T0,
                        1));
    }

    @Test
    void aRetryKeepsTheIdAndCountsTheAttempt() {
        Job retry = Samples.job().nextAttempt(Samples.T0.plusSeconds(5));
        assertEquals(Samples.job().jobId(), retry.jobId());
        assertEquals(2, retry.attempt());
        assertEquals(Samples.T0.plusSeconds(5), retry.enqueuedAt());
    }

    @Test
    void expiryFollowsTheDeadline() {
        Job job = Samples.job();
        Instant deadline = job.deadline();
        assertFalse(job.isExpiredAt(deadline.minusMillis(1)));
        assertTrue(job.isExpiredAt(deadline));
        assertFalse(Samples.minimalJob().isExpiredAt(Instant.MAX), "no deadline, never expired");
    }
}
