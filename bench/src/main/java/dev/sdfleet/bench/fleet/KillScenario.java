package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Worker SIGKILLs mid-job: per kill, two jobs are published, the worker is killed ({@code destroyForcibly}) once it
 * reports a step of one of them, and a new worker takes over. Passes when every job has exactly one result.
 */
final class KillScenario implements FaultScenario {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final int JOBS_PER_KILL = 2;

    @Override
    public String name() {
        return "worker SIGKILL mid-job";
    }

    @Override
    public String describe(int size) {
        return size + " kills, " + JOBS_PER_KILL + " jobs each (128x128, 30 steps)";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("kills", 2);
        JobFactory factory = new JobFactory(bench.modelId(), 128, 30, 7.5);
        List<String> jobIds = new ArrayList<>();
        double recovery = 0;
        int crashed = 0;
        try (ScenarioTopics io = ScenarioTopics.open(bench, scope)) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            WorkerProcess current = start(bench, scope, 0);
            try {
                for (int k = 1; k <= size; k++) {
                    String request = "kill-" + k;
                    for (int i = 0; i < JOBS_PER_KILL; i++) {
                        Job job = factory.job(request, i, JOBS_PER_KILL, "a red circle", 1000L * k + i);
                        publisher.publish(job);
                        jobIds.add(job.jobId());
                    }
                    progress.await(p -> p.requestId().equals(request) && p.step() < p.totalSteps(), TIMEOUT);
                    if (!current.isAlive()) {
                        crashed++; // died before we killed it
                    }
                    long killed = System.nanoTime();
                    current.kill();
                    current = start(bench, scope, k);
                    for (int i = 0; i < JOBS_PER_KILL; i++) {
                        String jobId = request + "/" + i;
                        results.await(r -> r.jobId().equals(jobId), TIMEOUT);
                    }
                    recovery = Math.max(recovery, (System.nanoTime() - killed) / 1e9);
                    log.printf("kills: %d/%d done%n", k, size);
                }
                if (!current.isAlive()) {
                    crashed++;
                }
            } finally {
                current.stop(Duration.ofSeconds(60));
            }
            JobOutcomes outcomes = JobOutcomes.await(jobIds, results, progress, TIMEOUT, Duration.ofSeconds(1));
            return Row.of(name(), describe(size), jobIds.size(), outcomes, 0, size, crashed, 0, 0, recovery);
        }
    }

    private static WorkerProcess start(BenchStack bench, BenchStack.Scope scope, int generation)
            throws InterruptedException {
        return bench.startProcess(bench.config(scope, "kill-worker-" + generation)
                .kafkaProperties(BenchStack.QUICK_FAILOVER)
                .threads(1)
                .build());
    }
}
