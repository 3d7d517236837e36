package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.worker.FaultyWorkerMain;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A job whose pipeline call hangs ({@link FaultyWorkerMain#HANG}). The campaign plays the kubelet: when the worker's
 * {@code /health/live} answers 503 it SIGTERMs the worker (SIGKILL after a grace period) and starts a new one. Passes
 * when the hung job ends FAILED (worker_crashed) and every other job succeeds.
 */
final class HangScenario implements FaultScenario {
    private static final int QUARANTINE = 2;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Override
    public String name() {
        return "hung job";
    }

    @Override
    public String describe(int size) {
        return "1 hung + " + size + " other jobs, stall 2 s, quarantine " + QUARANTINE;
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("hang", 1);
        JobFactory factory = new JobFactory(bench.modelId(), 64, 4, 7.5);
        HttpClient http = HttpClient.newHttpClient();
        try (ScenarioTopics io = ScenarioTopics.open(bench, scope)) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            List<String> jobIds = new ArrayList<>();
            Job hanger = factory.job("hang-hanger", "a red circle " + FaultyWorkerMain.HANG, 7);
            publisher.publish(hanger);
            jobIds.add(hanger.jobId());
            for (int i = 0; i < size; i++) {
                Job job = factory.job("hang-other-" + i, "a red circle", 100 + i); // a request holds at most 16 images
                publisher.publish(job);
                jobIds.add(job.jobId());
            }
            long start = System.nanoTime();
            int restarts = 0;
            int crashed = 0;
            boolean verdict = false;
            for (int generation = 0; !verdict && generation <= QUARANTINE + 1; generation++) {
                try (WorkerProcess worker =
                        bench.startProcessOf(bench.startFaulty(bench.config(scope, "hang-worker-" + generation)
                                .kafkaProperties(BenchStack.QUICK_FAILOVER)
                                .stallTimeout(Duration.ofSeconds(2))
                                .drainTimeout(Duration.ofSeconds(2))
                                .crashQuarantine(QUARANTINE)
                                .threads(1)
                                .build()))) {
                    URI live = URI.create("http://127.0.0.1:" + worker.httpPort() + "/health/live");
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (!verdict && System.nanoTime() < deadline) {
                        if (!worker.isAlive()) {
                            crashed++;
                            break;
                        }
                        verdict = results.all(Duration.ofMillis(200)).stream()
                                .anyMatch(s -> s.message().jobId().equals(hanger.jobId()));
                        int status = http.send(
                                        HttpRequest.newBuilder(live)
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        if (!verdict && status == 503) {
                            restarts++;
                            worker.stop(Duration.ofSeconds(20)); // the kubelet: SIGTERM, SIGKILL after the grace
                            break;
                        }
                    }
                    if (verdict) {
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
            log.printf("hang: %d kubelet restarts, outcomes %s%n", restarts, outcomes);
            return Row.of(name(), describe(size), jobIds.size(), outcomes, 0, restarts, crashed, 0, 0, recovery);
        }
    }
}
