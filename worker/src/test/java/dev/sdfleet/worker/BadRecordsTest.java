package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Records that cannot run never block their partition: a poison record goes to the dead-letter topic, a job that
 * breaks the contract or asks the impossible gets a FAILED result, and the job behind them still runs. All of them on
 * one partition, in order, so that the committed offset shows that each was finished.
 */
class BadRecordsTest {
    private static final String KEY = "one-partition";

    @Test
    void poisonAndInvalidJobsDoNotBlockTheNextJob() {
        try (Fleet fleet = new Fleet("bad")) {
            fleet.start(fleet.config("w-bad").build());

            fleet.publishRaw(KEY, "this is not JSON");
            Job template = TestJobs.job("req-wide", 0, "a red circle on a blue background", 1);
            String wide = Codec.encodeToString(template).replace("\"width\":64", "\"width\":500");
            fleet.publishRaw(KEY, wide);
            Job otherModel = TestJobs.withModel(TestJobs.job("req-model", 0, "a red circle", 2), "sd15");
            fleet.publishWithKey(KEY, otherModel);
            Job late = TestJobs.withDeadline(
                    TestJobs.job("req-late", 0, "a red circle", 3),
                    Instant.now().minusSeconds(1));
            fleet.publishWithKey(KEY, late);
            Job good = TestJobs.job("req-good", 0, "a green square on a white background", 4);
            fleet.publishWithKey(KEY, good);

            DeadLetter letter = fleet.deadLetters().await(d -> true, Fleet.TIMEOUT);
            assertEquals(fleet.topics().jobs(), letter.topic());
            assertArrayEquals("this is not JSON".getBytes(StandardCharsets.UTF_8), letter.valueBytes());
            assertArrayEquals(KEY.getBytes(StandardCharsets.UTF_8), letter.keyBytes());
            assertEquals("w-bad", letter.failedBy());

            JobResult rejected = fleet.awaitResult("req-wide/0");
            assertEquals(JobStatus.FAILED, rejected.status());
            assertEquals(FailureReason.INVALID_PARAMETERS, rejected.error().reason());
            assertFalse(rejected.error().retryable());
            assertTrue(
                    rejected.error().message().contains("width"),
                    rejected.error().message());

            JobResult unknown = fleet.awaitResult(otherModel.jobId());
            assertEquals(FailureReason.UNKNOWN_MODEL, unknown.error().reason());
            JobResult expired = fleet.awaitResult(late.jobId());
            assertEquals(FailureReason.DEADLINE_EXCEEDED, expired.error().reason());

            JobResult result = fleet.awaitResult(good.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());

            Fleet.await("all five records committed", () -> fleet.committedTotal() == 5);
        }
    }
}
