package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A worker reads its model's lanes highest first: with low jobs queued on the low lane, a high job published while the
 * first low one runs is the next to run, ahead of every low job still waiting.
 */
class PriorityLanesTest {

    @Test
    void aHighJobOvertakesTheLowOnesWaiting() {
        try (Fleet fleet = new Fleet("lanes")) {
            WorkerConfig config = fleet.config("w-lanes").queueCapacity(1).build();
            List<String> lanes = config.jobLanes();
            assertEquals(3, lanes.size(), lanes.toString());
            List<Job> lows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Job low = TestJobs.withPriority(
                        TestJobs.sized("req-low", i, "a red circle", 10 + i, 128, 30), Priority.LOW);
                lows.add(low);
                publish(fleet, lanes.get(2), low);
            }
            fleet.start(config);
            fleet.progress().await(p -> p.requestId().equals("req-low"), Fleet.TIMEOUT);

            Job high =
                    TestJobs.withPriority(TestJobs.sized("req-high", 0, "a blue square", 99, 128, 30), Priority.HIGH);
            publish(fleet, lanes.get(0), high);

            for (Job job : lows) {
                assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(job.jobId()).status());
            }
            assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(high.jobId()).status());
            List<String> order = fleet.results().all(Duration.ofMillis(500)).stream()
                    .sorted(Comparator.comparing(JobResult::finishedAt))
                    .map(JobResult::jobId)
                    .toList();
            int rank = order.indexOf(high.jobId());
            // Ahead of it at most the low job that was running when it came (and, at worst, one that was polled in
            // the same instant): never the whole low lane.
            assertTrue(rank <= 2, "the high job finished " + (rank + 1) + "th of " + order);
        }
    }

    private static void publish(Fleet fleet, String topic, Job job) {
        fleet.publishRecord(new ProducerRecord<>(topic, RecordKeys.keyOf(job), Codec.encode(job)));
    }
}
