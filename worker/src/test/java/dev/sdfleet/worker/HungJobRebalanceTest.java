package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebalance does not wipe a hung job's crash count. Worker A hangs in the job's call (no step, deaf to release, as
 * a stuck ORT call is); worker B joins, so A gives the job's partition up: it releases the call, waits its grace, and
 * commits the partition with the run still marked, because the call never stopped. B takes the job over with one
 * crashed run counted, runs it (below the limit of 2) and hangs too. After both are restarted (the kubelet's part,
 * played by the test on their failed liveness probes), worker C finds two crashed runs and fails the job with
 * {@code WORKER_CRASHED} instead of running it, then runs the jobs queued behind it. Had A's revocation committed the
 * partition without its mark, C would have counted only B's run and hung a third worker.
 *
 * <p>The workers use the eager range assignor instead of the cooperative sticky one, so that which partition moves is
 * known: on B's join A gives up every partition and gets back partition 0 of each lane (its client id sorts first),
 * while B gets partition 1, where the job is. The revocation path under test is the same with either assignor.
 */
class HungJobRebalanceTest {
    private static final int QUARANTINE = 2;
    private static final int JOB_PARTITION = 1;

    @Test
    void aHungJobKeepsItsCrashCountThroughARebalanceAndEndsQuarantined(@TempDir Path logs) throws Exception {
        try (Fleet fleet = new Fleet("hung-rebalance")) {
            Job hanger = TestJobs.sized("req-hung", 0, "a red circle " + FaultyWorkerMain.HANG, 7, 64, 4);
            List<Job> behind = List.of(
                    TestJobs.sized("req-behind-hung", 0, "a red circle", 8, 64, 4),
                    TestJobs.sized("req-behind-hung", 1, "a blue square", 9, 64, 4));
            publishOnJobPartition(fleet, hanger);
            behind.forEach(job -> publishOnJobPartition(fleet, job));

            try (WorkerProcess a = start(fleet, "w-hung-a", logs)) {
                a.awaitReady(Fleet.TIMEOUT);
                assertNull(CrashQuarantineTest.awaitVerdictOrStall(fleet, a, hanger), "A hangs in the job");

                try (WorkerProcess b = start(fleet, "w-hung-b", logs)) {
                    b.awaitReady(Fleet.TIMEOUT);
                    // B runs the job only once A's revocation has let it go: A's run counts 1, below the limit.
                    assertNull(
                            CrashQuarantineTest.awaitVerdictOrStall(fleet, b, hanger),
                            "B took the job over after the rebalance and hangs in it too");
                    b.stop(Duration.ofSeconds(20)); // the kubelet's restarts: SIGTERM, then SIGKILL
                }
                a.stop(Duration.ofSeconds(20));
            }

            try (WorkerProcess c = start(fleet, "w-hung-c", logs)) {
                JobResult verdict = fleet.awaitResult(hanger.jobId());
                assertEquals(JobStatus.FAILED, verdict.status());
                assertEquals(
                        FailureReason.WORKER_CRASHED,
                        verdict.error().reason(),
                        verdict.error().message());
                assertEquals("w-hung-c", verdict.workerId(), "the third worker, without running it");
                for (Job job : behind) {
                    JobResult result = fleet.awaitResult(job.jobId());
                    assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
                }
                Fleet.await("every record committed", () -> fleet.committedTotal() == 1 + behind.size());
            }
        }
    }

    private static WorkerProcess start(Fleet fleet, String workerId, Path logs) {
        Map<String, String> kafka = new HashMap<>(HardKillTest.QUICK_FAILOVER);
        kafka.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        WorkerConfig config = fleet.config(workerId)
                .kafkaProperties(kafka)
                .stallTimeout(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(2))
                .crashQuarantine(QUARANTINE)
                .build();
        return WorkerProcess.start(
                FaultyWorkerMain.class,
                config,
                WorkerProcess.currentClassPath(),
                logs.resolve(workerId + ".log"),
                List.of("-Xmx512m"));
    }

    /** On one known partition of the jobs lane, in order. */
    private static void publishOnJobPartition(Fleet fleet, Job job) {
        fleet.publishRecord(
                new ProducerRecord<>(fleet.topics().jobs(), JOB_PARTITION, RecordKeys.keyOf(job), Codec.encode(job)));
    }
}
