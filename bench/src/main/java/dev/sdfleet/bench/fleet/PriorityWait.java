package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How long a high-priority job waits behind a low-priority backlog: one worker process, {@code lows} low jobs queued on
 * the model's low lane, then one high job on the high lane once the lows are running. The wait from publishing the
 * high job to its first denoising step, in seconds and in job-times (the median interval between low results before
 * it came). Strict priority lanes promise about one job-time: the low job running when it came.
 */
final class PriorityWait {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int MEASURED_BEFORE = 6;

    private final BenchStack bench;
    private final PrintStream log;

    PriorityWait(BenchStack bench, PrintStream log) {
        this.bench = bench;
        this.log = log;
    }

    void run(int lows, int threads, int side, int steps, BenchReport report) throws InterruptedException {
        BenchStack.Scope scope = bench.scope("priority", 1);
        Topics fleet = Topics.withPrefix(scope.prefix());
        JobFactory factory = new JobFactory(bench.modelId(), side, steps, 7.5);
        try (TopicWatcher<JobProgress> progress =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobProgress.class);
                TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics());
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, "prio-worker").threads(threads).build())) {
            for (int i = 0; i < lows; i++) {
                publisher.publish(
                        factory.job("low-" + i, 0, 1, "a red circle on a blue background", i, Priority.LOW),
                        fleet.jobsFor(bench.modelId(), Priority.LOW));
            }
            log.printf(Locale.ROOT, "%d low jobs queued on %s%n", lows, fleet.jobsFor(bench.modelId(), Priority.LOW));
            for (int i = 0; i < MEASURED_BEFORE; i++) {
                String id = "low-" + i + "/0";
                results.await(r -> r.jobId().equals(id), TIMEOUT);
            }
            // The worker's own finish times: consecutive jobs on one worker, so their differences are job times (the
            // watcher's arrival times bunch several results into one poll).
            List<Instant> lowDone = results.all(Duration.ZERO).stream()
                    .map(seen -> seen.message().finishedAt())
                    .sorted()
                    .toList();
            List<Double> intervals = new ArrayList<>();
            for (int i = 1; i < lowDone.size(); i++) {
                intervals.add(
                        Duration.between(lowDone.get(i - 1), lowDone.get(i)).toNanos() / 1e6);
            }
            double jobMs = Percentiles.of(intervals).p50();

            long published = System.nanoTime();
            publisher.publish(
                    factory.job("high", 0, 1, "a blue square on a white background", 7, Priority.HIGH),
                    fleet.jobsFor(bench.modelId(), Priority.HIGH));
            TopicWatcher.Seen<JobProgress> started =
                    progress.await(p -> p.jobId().equals("high/0"), TIMEOUT);
            double waitMs = (started.seenAtNanos() - published) / 1e6;
            Instant highStarted = started.message().at();
            Instant publishedAt = highStarted.minusNanos((long) (waitMs * 1e6));
            // Low jobs whose run ended between the high job's publication and its start (worker clock).
            long lowsInBetween = results.all(Duration.ofSeconds(1)).stream()
                    .map(seen -> seen.message().finishedAt())
                    .filter(at -> at.isAfter(publishedAt) && at.isBefore(highStarted))
                    .count();
            double jobTimes = waitMs / jobMs;
            log.printf(
                    Locale.ROOT,
                    "high job started %.0f ms after it was published (%.2f job-times), %d low results in between%n",
                    waitMs,
                    jobTimes,
                    lowsInBetween);
            report.row(
                            "setting",
                            "1 worker process, %d low jobs queued on the low lane, then 1 high job (%dx%d, %d steps)",
                            lows,
                            side,
                            side,
                            steps)
                    .row("job time (median interval between low results)", "%.0f ms", jobMs)
                    .row("high job: publish to first denoising step", "%.0f ms = %.2f job-times", waitMs, jobTimes)
                    .row("low jobs finished meanwhile", "%d", lowsInBetween)
                    .row("low jobs still queued behind it", "%d", lows - MEASURED_BEFORE - lowsInBetween)
                    .figure("lows", lows)
                    .figure("job_ms", jobMs)
                    .figure("high_wait_ms", waitMs)
                    .figure("high_wait_job_times", jobTimes)
                    .figure("lows_in_between", lowsInBetween);
            worker.kill();
        }
    }
}
