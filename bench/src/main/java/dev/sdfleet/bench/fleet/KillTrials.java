package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Hard-kill trials: a chain of worker processes, each killed with SIGKILL while it denoises, each replaced by a new
 * one. Per trial: publish the jobs, wait until the current worker reports progress on one of them, SIGKILL it,
 * start the next worker, wait for every job's SUCCEEDED result, and check that S3 holds exactly one object per job.
 * At the end the group's committed offsets must account for every job.
 */
final class KillTrials {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private record Trial(
            int number,
            int jobs,
            int resultsBeforeKill,
            int duplicateResults,
            int objects,
            boolean allSucceeded,
            double recoverySeconds) {
        boolean ok() {
            return allSucceeded && objects == jobs;
        }
    }

    private final BenchStack bench;
    private final PrintStream log;

    KillTrials(BenchStack bench, PrintStream log) {
        this.bench = bench;
        this.log = log;
    }

    /** Runs the trials; the report fails unless every job of every trial completed with exactly one object. */
    void run(int trials, int jobsPerTrial, int side, int steps, BenchReport report) throws InterruptedException {
        BenchStack.Scope scope = bench.scope("killtrials", 2);
        JobFactory factory = new JobFactory(bench.modelId(), side, steps, 7.5);
        List<Trial> done = new ArrayList<>();
        log.printf(
                Locale.ROOT,
                "kill trials: %d trials, %d jobs each (%dx%d, %d steps), SIGKILL mid-job%n",
                trials,
                jobsPerTrial,
                side,
                side,
                steps);
        try (TopicWatcher<JobProgress> progress =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobProgress.class);
                TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics());
                S3Client s3 = S3Clients.client(
                        bench.stack().s3Endpoint(), bench.stack().credentials())) {
            WorkerProcess current = start(scope, 0);
            try {
                for (int t = 1; t <= trials; t++) {
                    String request = "trial-" + t;
                    for (int i = 0; i < jobsPerTrial; i++) {
                        publisher.publish(factory.job(
                                request, i, jobsPerTrial, "a red circle on a blue background", 1000L * t + i));
                    }
                    progress.await(p -> p.requestId().equals(request) && p.step() < p.totalSteps(), JOB_TIMEOUT);
                    int before = resultsOf(results, request, Duration.ZERO).size();
                    long killedPid = current.pid();
                    long killed = System.nanoTime();
                    int exit = current.kill();
                    current = start(scope, t);
                    for (int i = 0; i < jobsPerTrial; i++) {
                        String jobId = request + "/" + i;
                        results.await(r -> r.jobId().equals(jobId), JOB_TIMEOUT);
                    }
                    double recovery = (System.nanoTime() - killed) / 1e9;
                    List<JobResult> ofTrial = resultsOf(results, request, Duration.ofMillis(200));
                    Set<String> jobIds = ofTrial.stream().map(JobResult::jobId).collect(Collectors.toSet());
                    boolean succeeded = jobIds.size() == jobsPerTrial
                            && jobIds.stream()
                                    .allMatch(id -> ofTrial.stream()
                                            .filter(r -> r.jobId().equals(id))
                                            .anyMatch(r -> r.status() == JobStatus.SUCCEEDED));
                    int objects = s3
                            .listObjectsV2(b -> b.bucket(bench.stack().bucket()).prefix("images/" + request + "/"))
                            .contents()
                            .stream()
                            .map(S3Object::key)
                            .collect(Collectors.toSet())
                            .size();
                    Trial trial = new Trial(
                            t, jobsPerTrial, before, ofTrial.size() - jobIds.size(), objects, succeeded, recovery);
                    done.add(trial);
                    log.printf(
                            Locale.ROOT,
                            "trial %2d: killed pid %d (exit %d) with %d/%d results out; all %d jobs "
                                    + "%s, %d objects, %d duplicate results, %.1f s from kill to last result%n",
                            t,
                            killedPid,
                            exit,
                            before,
                            jobsPerTrial,
                            jobsPerTrial,
                            succeeded ? "succeeded" : "NOT all succeeded",
                            objects,
                            trial.duplicateResults(),
                            recovery);
                }
            } finally {
                current.stop(Duration.ofSeconds(60));
            }
        }
        long committed = bench.committedJobs(scope);
        long published = (long) trials * jobsPerTrial;
        int failed = (int) done.stream().filter(t -> !t.ok()).count();
        int duplicates = done.stream().mapToInt(Trial::duplicateResults).sum();
        Percentiles recovery = Percentiles.of(
                done.stream().map(t -> t.recoverySeconds() * 1000).toList());
        report.row(
                        "setting",
                        "%d trials, %d jobs each (%dx%d, %d steps), SIGKILL mid-job, then a new worker",
                        trials,
                        jobsPerTrial,
                        side,
                        side,
                        steps)
                .row("jobs", "%d", published)
                .row("trials with a lost job or an extra object", "%d", failed)
                .row("duplicate results in all", "%d", duplicates)
                .row("committed offsets", "%d of %d", committed, published)
                .row(
                        "kill to last result of the trial",
                        "%.1f s median, %.1f s max",
                        recovery.p50() / 1000,
                        recovery.max() / 1000)
                .figure("trials", trials)
                .figure("jobs", published)
                .figure("side", side)
                .figure("steps", steps)
                .figure("failed_trials", failed)
                .figure("duplicate_results", duplicates)
                .figure("committed", committed)
                .figure("recovery.p50_s", recovery.p50() / 1000)
                .figure("recovery.max_s", recovery.max() / 1000);
        if (failed > 0) {
            report.fail(failed + " trial(s) lost a job or stored one twice");
        }
        if (committed != published) {
            report.fail("committed offsets " + committed + " of " + published);
        }
    }

    private WorkerProcess start(BenchStack.Scope scope, int generation) throws InterruptedException {
        return bench.startProcess(bench.config(scope, "kt-worker-" + generation)
                .kafkaProperties(bench.kafkaProperties(BenchStack.QUICK_FAILOVER))
                .threads(1)
                .build());
    }

    private static List<JobResult> resultsOf(TopicWatcher<JobResult> results, String request, Duration settle) {
        return results.all(settle).stream()
                .map(TopicWatcher.Seen::message)
                .filter(r -> r.requestId().equals(request))
                .toList();
    }
}
