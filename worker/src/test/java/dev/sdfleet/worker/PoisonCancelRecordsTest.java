package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.PoisonRecords;
import dev.sdfleet.worker.testing.PoisonRecords.Poison;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No record on the cancels topic stops the cancel listener: each poison record is skipped and counted by reason, and
 * a valid cancel behind them (same partition, so read after them) still cancels its job. The worker does not
 * dead-letter cancels: every worker reads every cancel, so each would park its own copy; the dispatcher, which reads
 * the topic once for the fleet, parks the one copy.
 */
class PoisonCancelRecordsTest {

    @Test
    void poisonCancelsAreSkippedAndTheCancelBehindThemStillWorks() {
        try (Fleet fleet = new Fleet("cancelpoison")) {
            Worker worker = fleet.start(fleet.config("w-cancelpoison").build());
            String cancels = fleet.topics().cancels();
            // Long enough that the cancels arrive while it runs and the doomed job waits behind it.
            Job running = TestJobs.sized("req-busy", 0, "a red circle on a blue background", 32, 192, 150);
            Job queued = TestJobs.job("req-doomed", 0, "a green square on a white background", 33);
            fleet.publish(running);
            fleet.awaitProgress(running.jobId());
            fleet.publish(queued);

            // Keyed by the doomed request id: the same partition as its cancel, and before it.
            List<Poison> poisons = PoisonRecords.all(cancels, queued.requestId());
            poisons.forEach(p -> fleet.publishRecord(p.record()));
            fleet.cancel(CancelRequest.ofRequest(queued.requestId(), "after the poison", Instant.now()));

            JobResult cancelled = fleet.awaitResult(queued.jobId());
            assertEquals(FailureReason.CANCELLED, cancelled.error().reason());
            JobResult finished = fleet.awaitResult(running.jobId());
            assertEquals(JobStatus.SUCCEEDED, finished.status(), () -> "error: " + finished.error());

            // The null-key record may land on the other partition: wait for it too.
            Fleet.await("every poison cancel counted", () -> skipped(worker, cancels) == poisons.size());
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                long expected =
                        poisons.stream().filter(p -> p.reason() == reason).count();
                assertEquals(
                        expected,
                        (long) worker.metrics().badRecords(WorkerMetrics.CANCELS_SKIPPED, cancels, reason.name()),
                        "skipped cancels counted for " + reason);
            }
            assertEquals(
                    1.0,
                    worker.metrics()
                            .registry()
                            .get("sdfleet.worker.cancel.listener.up")
                            .gauge()
                            .value(),
                    "the cancel listener still reads");
            assertFalse(worker.hasFailed());
            assertTrue(
                    fleet.deadLetters().all(Duration.ofMillis(500)).stream()
                            .noneMatch(d -> d.topic().equals(cancels)),
                    "the worker parks no cancels");
        }
    }

    private static long skipped(Worker worker, String topic) {
        long total = 0;
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            total += (long) worker.metrics().badRecords(WorkerMetrics.CANCELS_SKIPPED, topic, reason.name());
        }
        return total;
    }
}
