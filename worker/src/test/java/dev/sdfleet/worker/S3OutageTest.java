package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.devstack.EmbeddedS3;
import dev.sdfleet.devstack.S3Credentials;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * S3 goes away while a job runs and comes back a few seconds later: the upload is retried with backoff, the job
 * completes, and there is exactly one object. The test waits for the worker to have seen the outage (a failed
 * upload) before bringing S3 back, so it never depends on how long the job or the outage takes.
 */
class S3OutageTest {

    @Test
    void aJobCompletesAfterAnS3Outage() throws Exception {
        try (EmbeddedS3 s3 =
                        EmbeddedS3.builder().credentials(S3Credentials.LOCAL).start();
                Fleet fleet = new Fleet("outage", s3.endpoint(), s3.credentials())) {
            Worker worker = fleet.start(fleet.config("w-outage").build());
            // Long enough (a few seconds on two busy cores) for S3 to be stopped before the upload.
            Job job = TestJobs.sized("req-outage", 0, "a yellow square on a purple background", 9, 192, 60);
            fleet.publish(job);

            fleet.awaitProgress(job.jobId());
            s3.stop();
            Fleet.await(
                    "an upload to fail while S3 is down", () -> worker.metrics().uploadFailures() > 0);
            Thread.sleep(2_000); // stay down across a few retries
            s3.start();

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertEquals(List.of("images/req-outage/0.png"), fleet.keys("images/req-outage/"));
            Fleet.await("the job's offset to be committed", () -> fleet.committedTotal() == 1);
        }
    }
}
