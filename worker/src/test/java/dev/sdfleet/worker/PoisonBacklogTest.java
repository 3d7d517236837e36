package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.PoisonRecords;
import dev.sdfleet.worker.testing.PoisonRecords.Poison;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * A backlog of poison records waiting for a worker: the worker takes it a fetch at a time (many dead letters per turn
 * of its loop, one commit for them), and still gives each record its own dead letter at its source position, runs the
 * valid jobs among and behind them, and commits past every one of them.
 */
class PoisonBacklogTest {
    private static final String KEY = "backlog";
    private static final int POISON_RECORDS = 200;

    @Test
    void aPoisonBacklogIsDeadLetteredAndTheJobsInAndBehindItRun() {
        try (Fleet fleet = new Fleet("backlog")) {
            String jobs = fleet.topics().jobs();
            // Every kind but the near-limit one (200 of those would be 200 MB), over and over.
            List<Poison> kinds = PoisonRecords.all(jobs, KEY).stream()
                    .filter(p ->
                            p.record().value() == null || p.record().value().length < PoisonRecords.NEAR_LIMIT_BYTES)
                    .toList();
            Set<String> poisonAt = new HashSet<>();
            Job among = TestJobs.job("req-among-poison", 0, "a red circle on a blue background", 5);
            for (int i = 0; i < POISON_RECORDS; i++) {
                if (i == POISON_RECORDS / 2) {
                    fleet.publishWithKey(KEY, among); // a job in the middle of a fetch of poison records
                }
                RecordMetadata at =
                        fleet.publishRecord(kinds.get(i % kinds.size()).record());
                poisonAt.add(at.partition() + "@" + at.offset());
            }
            Job behind = TestJobs.job("req-behind-poison", 0, "a green square on a white background", 6);
            fleet.publishWithKey(KEY, behind);

            // Started after the backlog is in place, so that its polls find whole fetches of poison waiting.
            fleet.start(fleet.config("w-backlog").build());

            for (Job job : List.of(among, behind)) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
            }
            Set<String> missing = new HashSet<>(poisonAt);
            Fleet.await("a dead letter for every poison record", () -> {
                for (DeadLetter letter : fleet.deadLetters().all(Duration.ofMillis(200))) {
                    if (letter.topic().equals(jobs)) {
                        missing.remove(letter.partition() + "@" + letter.offset());
                    }
                }
                return missing.isEmpty();
            });
            long records = POISON_RECORDS + 2;
            Fleet.await("the group committed past every record", () -> fleet.committedTotal() == records);
        }
    }
}
