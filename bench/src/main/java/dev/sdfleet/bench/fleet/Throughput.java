package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.ProcessMemory;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Images per second of N worker processes on one jobs topic: the workers start and warm up first, then every job is
 * published at once, and the clock runs from the first publish to the last result. Each worker's resident memory
 * is read from /proc when the jobs are done (current and peak).
 */
final class Throughput {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
    private static final List<String> PROMPTS = List.of(
            "a red circle on a blue background",
            "a green square on a white background",
            "small white triangle at the top, black background",
            "a yellow square on a purple background");

    /** One measurement. */
    record Run(int workers, int batchSize, int jobs, double seconds, List<Long> rssKiB, List<Long> peakRssKiB) {
        double imagesPerSecond() {
            return jobs / seconds;
        }
    }

    private final BenchStack bench;
    private final PrintStream log;

    Throughput(BenchStack bench, PrintStream log) {
        this.bench = bench;
        this.log = log;
    }

    Run measure(int workers, int batchSize, int threads, int jobs, int side, int steps) throws InterruptedException {
        BenchStack.Scope scope = bench.scope("w" + workers + "-b" + batchSize, 4);
        JobFactory factory = new JobFactory(bench.modelId(), side, steps, 7.5);
        List<WorkerProcess> processes = new ArrayList<>();
        try (TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics())) {
            for (int w = 1; w <= workers; w++) {
                processes.add(bench.startProcess(
                        bench.config(scope, scope.prefix().replace(".", "") + "-" + w)
                                .threads(threads)
                                .batchSize(batchSize)
                                .batchWait(Duration.ofMillis(50))
                                .build()));
            }
            long start = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                // One request per job: its key spreads the jobs over the partitions, so every worker gets some.
                publisher.publish(
                        factory.job(scope.prefix().replace(".", "") + "-" + i, PROMPTS.get(i % PROMPTS.size()), i));
            }
            long last = start;
            for (int i = 0; i < jobs; i++) {
                String jobId = scope.prefix().replace(".", "") + "-" + i + "/0";
                TopicWatcher.Seen<JobResult> seen = results.await(r -> r.jobId().equals(jobId), RUN_TIMEOUT);
                if (seen.message().status() != JobStatus.SUCCEEDED) {
                    throw new IllegalStateException(
                            "job " + jobId + " failed: " + seen.message().error());
                }
                last = Math.max(last, seen.seenAtNanos());
            }
            Run run = new Run(
                    workers,
                    batchSize,
                    jobs,
                    (last - start) / 1e9,
                    processes.stream().map(WorkerProcess::rssKiB).toList(),
                    processes.stream()
                            .map(p -> ProcessMemory.peakRssKiB(p.pid()))
                            .toList());
            log.printf(
                    Locale.ROOT,
                    "%d worker(s), batch size %d, %d intra-op thread(s) each: %d jobs in %.1f s = "
                            + "%.2f images/s; worker RSS %s MiB (peak %s MiB)%n",
                    workers,
                    batchSize,
                    threads,
                    jobs,
                    run.seconds(),
                    run.imagesPerSecond(),
                    mib(run.rssKiB()),
                    mib(run.peakRssKiB()));
            return run;
        } finally {
            for (WorkerProcess process : processes) {
                process.stop(Duration.ofSeconds(60));
            }
        }
    }

    private static List<Long> mib(List<Long> kib) {
        return kib.stream().map(k -> k < 0 ? -1 : k / 1024).toList();
    }
}
