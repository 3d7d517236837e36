package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.devstack.EmbeddedS3;
import dev.sdfleet.devstack.S3Credentials;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * S3 goes away while jobs run and comes back: the finished images are kept and their uploads retried for the retry
 * window while the worker takes no new jobs, and when S3 returns every image is stored once, every job ends once, and
 * nothing was denoised twice (the worker counts its pipeline calls). A window shorter than the outage ends the job as
 * STORAGE_UNAVAILABLE, not retryable, still without a second denoising. The tests wait for the worker to have seen
 * the outage (a failed upload) before changing anything, so they do not depend on how long a job takes.
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

    /**
     * A 10-second outage under five jobs: one running when S3 goes, two taken meanwhile, two published once the
     * worker knows S3 is down (those must wait in Kafka: the queue capacity would take them, the hold does not).
     */
    @Test
    void aShortOutageUnderSeveralJobsLosesNothingAndDenoisesNothingTwice() throws Exception {
        try (EmbeddedS3 s3 =
                        EmbeddedS3.builder().credentials(S3Credentials.LOCAL).start();
                Fleet fleet = new Fleet("outage-jobs", s3.endpoint(), s3.credentials())) {
            Worker worker = fleet.start(fleet.config("w-outage-jobs")
                    .queueCapacity(8)
                    .s3RetryWindow(Duration.ofMinutes(5))
                    .build());
            List<Job> jobs = new ArrayList<>();
            Job first = TestJobs.sized("req-jobs", 0, "a yellow square on a purple background", 9, 192, 60);
            fleet.publish(first);
            jobs.add(first);
            fleet.awaitProgress(first.jobId());
            s3.stop();
            for (int i = 1; i <= 2; i++) {
                Job job = TestJobs.job("req-jobs", i, "a red circle, image " + i, 10 + i);
                fleet.publish(job);
                jobs.add(job);
            }
            Fleet.await(
                    "an upload to fail while S3 is down", () -> worker.metrics().uploadFailures() > 0);
            Fleet.await(
                    "the intake to be held (every partition of the three lanes paused)",
                    () -> gauge(worker, "sdfleet.partitions.paused") == Fleet.JOB_PARTITIONS);
            assertTrue(gauge(worker, "sdfleet.output.awaiting.upload") >= 1);
            assertEquals(0.0, gauge(worker, "sdfleet.s3.available"));
            List<Job> held = new ArrayList<>();
            for (int i = 3; i <= 4; i++) {
                Job job = TestJobs.job("req-jobs", i, "a blue triangle, image " + i, 10 + i);
                fleet.publish(job);
                held.add(job);
            }
            jobs.addAll(held);
            Thread.sleep(10_000); // the outage goes on; a worker taking jobs would have started these long ago
            List<String> started = fleet.progress().all(Duration.ofSeconds(1)).stream()
                    .map(p -> p.jobId())
                    .toList();
            for (Job job : held) {
                assertFalse(started.contains(job.jobId()), job.jobId() + " was taken while images waited for S3");
            }
            assertTrue(
                    fleet.results().all(Duration.ofSeconds(1)).isEmpty(),
                    "no job ended during the outage (none failed)");
            s3.start();

            for (Job job : jobs) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
            }
            Fleet.await("every offset committed", () -> fleet.committedTotal() == jobs.size());
            Map<String, Long> resultsPerJob = fleet.results().all(Duration.ofSeconds(1)).stream()
                    .collect(Collectors.groupingBy(JobResult::jobId, Collectors.counting()));
            assertEquals(
                    jobs.stream().collect(Collectors.toMap(Job::jobId, j -> 1L)), resultsPerJob, "one result per job");
            assertEquals(
                    List.of(
                            "images/req-jobs/0.png",
                            "images/req-jobs/1.png",
                            "images/req-jobs/2.png",
                            "images/req-jobs/3.png",
                            "images/req-jobs/4.png"),
                    fleet.keys("images/req-jobs/").stream().sorted().toList());
            assertEquals(jobs.size(), worker.metrics().pipelineCalls(), "each job denoised once");
            assertEquals(jobs.size(), worker.metrics().uploads(), "each image stored once");
            Fleet.await("the intake released", () -> gauge(worker, "sdfleet.partitions.paused") == 0);
            assertEquals(1.0, gauge(worker, "sdfleet.s3.available"));
        }
    }

    /**
     * S3 answers 403 for a while (another server on its port knows other keys: what a rotated credential or a skewed
     * clock looks like to the worker), then the real one comes back: the 403s are retried within the window.
     */
    @Test
    void refusedCredentialsAreRetriedWithinTheWindow() throws Exception {
        try (EmbeddedS3 s3 =
                        EmbeddedS3.builder().credentials(S3Credentials.LOCAL).start();
                Fleet fleet = new Fleet("outage-403", s3.endpoint(), s3.credentials())) {
            Worker worker = fleet.start(fleet.config("w-outage-403")
                    .s3RetryWindow(Duration.ofMinutes(5))
                    .build());
            Job job = TestJobs.sized("req-403", 0, "a green square on a white background", 9, 192, 60);
            fleet.publish(job);
            fleet.awaitProgress(job.jobId());
            s3.stop();
            try (EmbeddedS3 impostor = EmbeddedS3.builder()
                    .port(s3.port())
                    .credentials(new S3Credentials("someone-else", "another-secret"))
                    .start()) {
                Fleet.await("an upload to be refused", () -> worker.metrics().uploadFailures() >= 2);
            }
            s3.start();

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertEquals(List.of("images/req-403/0.png"), fleet.keys("images/req-403/"));
            assertEquals(1, worker.metrics().pipelineCalls());
        }
    }

    @Test
    void aWindowShorterThanTheOutageFailsTheJobWithoutDenoisingItAgain() throws Exception {
        try (EmbeddedS3 s3 =
                        EmbeddedS3.builder().credentials(S3Credentials.LOCAL).start();
                Fleet fleet = new Fleet("outage-window", s3.endpoint(), s3.credentials())) {
            Worker worker = fleet.start(fleet.config("w-outage-window")
                    .s3RetryWindow(Duration.ofSeconds(3))
                    .build());
            Job job = TestJobs.sized("req-window", 0, "a yellow square on a purple background", 9, 192, 60);
            fleet.publish(job);
            fleet.awaitProgress(job.jobId());
            s3.stop();

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.FAILED, result.status());
            assertEquals(FailureReason.STORAGE_UNAVAILABLE, result.error().reason());
            assertFalse(result.error().retryable(), "the worker waited the window already; no second denoising");
            assertTrue(
                    result.error().message().contains("SDFLEET_S3_RETRY_WINDOW_MS"),
                    result.error().message());
            Fleet.await("the job's offset to be committed", () -> fleet.committedTotal() == 1);
            Fleet.await(
                    "the intake released once no image waits", () -> gauge(worker, "sdfleet.partitions.paused") == 0);
            assertEquals(1, worker.metrics().pipelineCalls(), "denoised once");
            assertEquals(0, worker.metrics().uploads());
            s3.start();
            assertEquals(List.of(), fleet.keys("images/req-window/"));
            List<JobResult> results = fleet.results().all(Duration.ofSeconds(1));
            assertEquals(
                    Map.of(job.jobId(), 1L),
                    results.stream().collect(Collectors.groupingBy(JobResult::jobId, Collectors.counting())));
        }
    }

    private static double gauge(Worker worker, String name) {
        return worker.metrics().registry().get(name).gauge().value();
    }
}
