package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.worker.FaultyWorkerMain;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A job that kills every worker that runs it ({@link FaultyWorkerMain#HALT}: {@code Runtime.halt}, as a native crash
 * would), among innocent jobs. The campaign restarts the worker after each death, as a Deployment would. Passes when
 * the killer ends FAILED (worker_crashed) after at most {@value #QUARANTINE} crashes and every innocent job succeeds.
 */
final class HaltScenario implements FaultScenario {
    static final int QUARANTINE = 3;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Override
    public String name() {
        return "process-killing job";
    }

    @Override
    public String describe(int size) {
        return "1 killer + " + size + " innocent jobs, quarantine " + QUARANTINE;
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("halt", 1);
        JobFactory factory = new JobFactory(bench.modelId(), 64, 4, 7.5);
        try (ScenarioTopics io = ScenarioTopics.open(bench, scope)) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            List<String> jobIds = new ArrayList<>();
            Job killer = factory.job("halt-killer", "a red circle " + FaultyWorkerMain.HALT, 7);
            publisher.publish(killer);
            jobIds.add(killer.jobId());
            for (int i = 0; i < size; i++) {
                Job job =
                        factory.job("halt-innocent-" + i, "a red circle", 100 + i); // a request holds at most 16 images
                publisher.publish(job);
                jobIds.add(job.jobId());
            }
            long start = System.nanoTime();
            int halted = 0;
            int crashed = 0;
            boolean verdict = false;
            for (int generation = 0; !verdict && generation <= QUARANTINE + 1; generation++) {
                try (WorkerProcess worker = bench.startFaulty(bench.config(scope, "halt-worker-" + generation)
                        .kafkaProperties(BenchStack.QUICK_FAILOVER)
                        .crashQuarantine(QUARANTINE)
                        .threads(1)
                        .build())) {
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (!verdict && System.nanoTime() < deadline) {
                        OptionalInt exit = worker.awaitExit(Duration.ofMillis(500));
                        if (exit.isPresent()) {
                            if (exit.getAsInt() == FaultyWorkerMain.HALT_EXIT_CODE) {
                                halted++;
                            } else {
                                crashed++;
                            }
                            break;
                        }
                        verdict = results.all(Duration.ofMillis(100)).stream()
                                .anyMatch(s -> s.message().jobId().equals(killer.jobId()));
                    }
                    if (verdict) {
                        // the innocents finish on this worker; it must still be alive afterwards
                        JobOutcomes.await(jobIds, results, progress, TIMEOUT, Duration.ZERO);
                        if (!worker.isAlive()) {
                            crashed++;
                        }
                        worker.stop(Duration.ofSeconds(30));
                    }
                }
            }
            double recovery = (System.nanoTime() - start) / 1e9;
            JobOutcomes outcomes = JobOutcomes.await(jobIds, results, progress, TIMEOUT, Duration.ofSeconds(1));
            log.printf("halt: %d halts, %d other crashes, outcomes %s%n", halted, crashed, outcomes);
            return Row.of(
                    name(),
                    describe(size),
                    jobIds.size(),
                    outcomes,
                    0,
                    halted,
                    crashed + Math.max(0, halted - QUARANTINE),
                    0,
                    0,
                    recovery);
        }
    }
}
