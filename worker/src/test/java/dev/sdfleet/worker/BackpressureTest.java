package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * While the jobs in flight fill the queue capacity the worker pauses its partitions instead of reading on, keeps
 * polling (no rebalance), and resumes as jobs finish: every job runs, and the worker never holds more than its
 * capacity.
 */
class BackpressureTest {

    @Test
    void partitionsPauseWhileTheQueueIsFullAndResumeAfterwards() {
        try (Fleet fleet = new Fleet("pause")) {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Job job = TestJobs.sized("req-pause", i, "a red circle on a blue background", 50 + i, 128, 40);
                jobs.add(job);
                fleet.publish(job); // one request: one partition, in order
            }
            Worker worker = fleet.start(fleet.config("w-pause").queueCapacity(2).build());
            MeterRegistry meters = worker.metrics().registry();

            double[] maxInFlight = {0};
            Fleet.await("the partitions to be paused", () -> {
                maxInFlight[0] = Math.max(
                        maxInFlight[0],
                        meters.get("sdfleet.jobs.in.flight").gauge().value());
                return meters.get("sdfleet.partitions.paused").gauge().value() > 0;
            });
            for (Job job : jobs) {
                JobResult result = fleet.results()
                        .await(
                                r -> {
                                    maxInFlight[0] = Math.max(
                                            maxInFlight[0],
                                            meters.get("sdfleet.jobs.in.flight")
                                                    .gauge()
                                                    .value());
                                    return r.jobId().equals(job.jobId());
                                },
                                Fleet.TIMEOUT);
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            }
            assertTrue(maxInFlight[0] <= 2, "in flight reached " + maxInFlight[0] + " with capacity 2");
            Fleet.await("all six offsets committed", () -> fleet.committedTotal() == 6);
            Fleet.await(
                    "the partitions to be resumed",
                    () -> meters.get("sdfleet.partitions.paused").gauge().value() == 0);
        }
    }
}
