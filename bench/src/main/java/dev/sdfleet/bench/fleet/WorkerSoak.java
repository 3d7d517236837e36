package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.pipeline.SoakBench;
import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.ProcessMemory;
import dev.sdfleet.worker.WorkerJvm;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.TreeMap;

/**
 * Does a deployed worker's memory level off over a long run? One worker process, started as the images start it
 * ({@link WorkerJvm#HEAP}), takes {@code jobs} jobs through Kafka and S3, fed a few at a time (a steady queue, as a
 * busy fleet gives it); its RSS is read from /proc every {@code every} results. The check is the pipeline soak's: RSS
 * at the last result within the tolerance of RSS at result {@code at}.
 */
final class WorkerSoak {
    /** Jobs published ahead of the results: the worker never waits for work, the topic never holds thousands. */
    private static final int QUEUED_AHEAD = 4;

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private final BenchStack bench;
    private final PrintStream log;

    WorkerSoak(BenchStack bench, PrintStream log) {
        this.bench = bench;
        this.log = log;
    }

    void run(int jobs, int at, int every, double tolerance, int threads, int side, int steps, BenchReport report)
            throws InterruptedException {
        BenchStack.Scope scope = bench.scope("soak", 1);
        JobFactory factory = new JobFactory(bench.modelId(), side, steps, 7.5);
        TreeMap<Integer, Long> rss = new TreeMap<>();
        long peak;
        long start = System.nanoTime();
        try (TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics());
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, "soak-worker").threads(threads).build())) {
            int published = 0;
            for (int done = 0; done < jobs; done++) {
                while (published < jobs && published < done + QUEUED_AHEAD) {
                    publisher.publish(factory.job("soak-" + published, "a red circle on a blue background", published));
                    published++;
                }
                String jobId = "soak-" + done + "/0";
                JobResult result =
                        results.await(r -> r.jobId().equals(jobId), JOB_TIMEOUT).message();
                if (result.status() != JobStatus.SUCCEEDED) {
                    throw new IllegalStateException("job " + jobId + " failed: " + result.error());
                }
                int count = done + 1;
                if (count % every == 0 || count == at || count == jobs) {
                    rss.put(count, worker.rssKiB());
                    log.printf("result %d RSS %d KiB%n", count, rss.get(count));
                }
            }
            peak = ProcessMemory.peakRssKiB(worker.pid());
            worker.stop(Duration.ofSeconds(60));
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        report.row(
                        "setting",
                        "%d jobs through Kafka and S3 (%dx%d, %d step(s), %d intra-op thread(s)), one worker process "
                                + "(%s), %.0f minutes",
                        jobs,
                        side,
                        side,
                        steps,
                        threads,
                        String.join(" ", WorkerJvm.HEAP),
                        minutes)
                .figure("jobs", jobs)
                .figure("side", side)
                .figure("steps", steps)
                .figure("minutes", minutes)
                .figure("peak_rss_kib", peak);
        SoakBench.verdict(report, "worker process", "worker", rss, at, tolerance, true);
    }
}
