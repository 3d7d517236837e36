package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.devstack.EmbeddedS3;
import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3 goes away under load: jobs are published, the embedded S3 is stopped once the worker reports a step, and started
 * again after {@code size} seconds. Passes when every job succeeds once; the extra-runs column says whether any image
 * was denoised again because its upload failed (the target is 0), and S3 must hold one object per job.
 */
final class S3OutageScenario implements FaultScenario {
    private static final int JOBS = 6;
    private static final String REQUEST = "outage";

    @Override
    public String name() {
        return "S3 outage under load";
    }

    @Override
    public String describe(int size) {
        return size + " s outage, " + JOBS + " jobs (128x128, 30 steps)";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("outage", 1);
        JobFactory factory = new JobFactory(bench.modelId(), 128, 30, 7.5);
        EmbeddedS3 s3 = bench.stack().s3();
        try (ScenarioTopics io = ScenarioTopics.open(bench, scope);
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, "outage-worker").threads(1).build())) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            List<String> jobIds = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                Job job = factory.job(REQUEST, i, JOBS, "a yellow square", 500 + i);
                publisher.publish(job);
                jobIds.add(job.jobId());
            }
            progress.await(p -> p.requestId().equals(REQUEST), Duration.ofMinutes(3));
            s3.stop();
            log.printf("outage: S3 stopped for %d s%n", size);
            Thread.sleep(Duration.ofSeconds(size));
            s3.start();
            long back = System.nanoTime();
            JobOutcomes outcomes =
                    JobOutcomes.await(jobIds, results, progress, Duration.ofMinutes(5), Duration.ofSeconds(1));
            double recovery = (System.nanoTime() - back) / 1e9;
            int objects;
            try (S3Client client =
                    S3Clients.client(bench.stack().s3Endpoint(), bench.stack().credentials())) {
                objects = client.listObjectsV2(
                                b -> b.bucket(bench.stack().bucket()).prefix("images/" + REQUEST + "/"))
                        .contents()
                        .size();
            }
            log.printf("outage: %d objects for %d jobs, outcomes %s%n", objects, JOBS, outcomes);
            return Row.of(
                    name(),
                    describe(size),
                    jobIds.size(),
                    outcomes,
                    // an image that is not in S3 is lost even if its result says otherwise
                    Math.max(0, outcomes.completed() - objects),
                    0,
                    worker.isAlive() ? 0 : 1,
                    0,
                    0,
                    recovery);
        }
    }
}
