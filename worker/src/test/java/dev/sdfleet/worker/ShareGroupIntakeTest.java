package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.PoisonRecords;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SDFLEET_JOB_INTAKE=share}: workers take jobs from a Kafka share group, so more of them than partitions work at
 * once, and the broker's delivery count drives the crash quarantine.
 */
class ShareGroupIntakeTest {
    /** Every job on ONE partition: a consumer group would give them all to one worker. */
    private static final String ONE_PARTITION = "one-partition";

    @Test
    void workersOutnumberingThePartitionsShareOnePartitionsJobsAndRunEachOnce() throws Exception {
        try (Fleet fleet = new Fleet("share")) {
            for (int w = 0; w < 3; w++) {
                fleet.start(shared(fleet, "w-share-" + w).build());
            }
            // Three members on a lane of two partitions: once each has its share, the broker has given one of the
            // partitions to two of them. Which one it decides (and it may assign before every worker has polled), so
            // the jobs go to the partition it shares once all three are in.
            AtomicReference<TopicPartition> sharedPartition = new AtomicReference<>();
            Fleet.await("each of the three workers assigned a partition of the jobs topic", () -> {
                Set<String> assigned = new HashSet<>();
                sharedPartition.set(null);
                fleet.shareGroupAssignment().forEach((partition, members) -> {
                    if (partition.topic().equals(fleet.topics().jobs())) {
                        assigned.addAll(members);
                        if (members.size() >= 2) {
                            sharedPartition.set(partition);
                        }
                    }
                });
                return assigned.size() == 3 && sharedPartition.get() != null;
            });
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Job job = TestJobs.job("req-share-" + i, 0, "a red circle on a blue background", 100 + i);
                fleet.publishRecord(new ProducerRecord<>(
                        sharedPartition.get().topic(),
                        sharedPartition.get().partition(),
                        utf8(ONE_PARTITION),
                        Codec.encode(job)));
                jobs.add(job);
            }
            for (Job job : jobs) {
                assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(job.jobId()).status());
            }
            List<JobResult> results = fleet.results().all(Duration.ofSeconds(2));
            Map<String, Long> perJob =
                    results.stream().collect(Collectors.groupingBy(JobResult::jobId, Collectors.counting()));
            for (Job job : jobs) {
                assertEquals(1L, perJob.get(job.jobId()), job.jobId() + " has one result: " + perJob);
            }
            Set<String> workers = results.stream().map(JobResult::workerId).collect(Collectors.toSet());
            assertTrue(workers.size() >= 2, "one partition's jobs ran on several workers: " + workers);
        }
    }

    @Test
    void aJobThatKillsItsWorkersIsQuarantinedByItsDeliveryCount(@TempDir Path logs) throws Exception {
        int quarantine = 2;
        try (Fleet fleet = new Fleet("share-crash")) {
            Job killer = TestJobs.sized("req-share-killer", 0, "a red circle " + FaultyWorkerMain.HALT, 7, 64, 4);
            fleet.publish(killer);
            int crashes = 0;
            JobResult verdict = null;
            for (int generation = 0; generation <= quarantine && verdict == null; generation++) {
                try (WorkerProcess worker = WorkerProcess.start(
                        FaultyWorkerMain.class,
                        shared(fleet, "w-share-crash-" + generation)
                                .crashQuarantine(quarantine)
                                .build(),
                        WorkerProcess.currentClassPath(),
                        logs.resolve("w-share-crash-" + generation + ".log"),
                        List.of("-Xmx512m"))) {
                    verdict = CrashQuarantineTest.awaitVerdictOrDeath(fleet, worker, killer);
                    if (verdict == null) {
                        crashes++;
                    }
                }
            }
            assertEquals(quarantine, crashes, "each delivery killed one worker, and no more ran it");
            assertTrue(verdict != null, "the job was failed after " + crashes + " crashes");
            assertEquals(JobStatus.FAILED, verdict.status());
            assertEquals(
                    FailureReason.WORKER_CRASHED,
                    verdict.error().reason(),
                    verdict.error().message());
        }
    }

    @Test
    void aPoisonBacklogOnALowerLaneIsDeadLetteredAndTheJobBehindItRuns() {
        int poisonRecords = 60;
        try (Fleet fleet = new Fleet("share-poison")) {
            WorkerConfig config = shared(fleet, "w-share-poison").build();
            String low = config.jobLanes().getLast();
            List<PoisonRecords.Poison> kinds = PoisonRecords.all(low, ONE_PARTITION).stream()
                    .filter(p ->
                            p.record().value() == null || p.record().value().length < PoisonRecords.NEAR_LIMIT_BYTES)
                    .toList();
            Set<String> poisonAt = new HashSet<>();
            for (int i = 0; i < poisonRecords; i++) {
                RecordMetadata at =
                        fleet.publishRecord(kinds.get(i % kinds.size()).record());
                poisonAt.add(at.partition() + "@" + at.offset());
            }
            Job behind = TestJobs.withPriority(
                    TestJobs.job("req-share-behind-poison", 0, "a green square", 8), Priority.LOW);
            fleet.publishRecord(new ProducerRecord<>(low, utf8(ONE_PARTITION), Codec.encode(behind)));
            fleet.start(config);

            JobResult result = fleet.awaitResult(behind.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> String.valueOf(result.error()));
            Set<String> missing = new HashSet<>(poisonAt);
            Fleet.await("a dead letter for every poison record", () -> {
                for (DeadLetter letter : fleet.deadLetters().all(Duration.ofMillis(200))) {
                    if (letter.topic().equals(low)) {
                        missing.remove(letter.partition() + "@" + letter.offset());
                    }
                }
                return missing.isEmpty();
            });
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A worker on the share group. Its record lock, the broker's minimum (15 s), outlasts a tiny job and lets a dead
     * worker's job go within a test's patience.
     */
    private static WorkerConfig.Builder shared(Fleet fleet, String workerId) {
        return fleet.config(workerId).jobIntake(WorkerConfig.INTAKE_SHARE).shareLock(Duration.ofSeconds(15));
    }
}
