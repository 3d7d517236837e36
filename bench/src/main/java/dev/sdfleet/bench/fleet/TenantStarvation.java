package dev.sdfleet.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.worker.WorkerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether one tenant's backlog starves another (issue 13): a dispatcher in this JVM in front of one worker process,
 * both on the bench stack. Tenant A submits {@code requests x images} images over HTTP; once the worker has finished
 * a few of them, tenant B submits one image. B's wait is timed from its POST to its first denoising step, in seconds
 * and in job-times (the median interval between A's results before B came). Two runs, each on its own topics and
 * dispatcher: both tenants with {@code max_images_in_flight}, and neither (A's whole backlog released to the jobs
 * topic at once, as before the cap). The dispatcher has one partition, so the cap is the tenant's whole allowance.
 */
final class TenantStarvation {
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final int MEASURED_BEFORE = 6;
    private static final String KEY_A = "sk-bench-tenant-a-0123456789";
    private static final String KEY_B = "sk-bench-tenant-b-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchStack bench;
    private final PrintStream log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TenantStarvation(BenchStack bench, PrintStream log) {
        this.bench = bench;
        this.log = log;
    }

    /** One run's figures. */
    record Run(double jobMs, double waitMs, long aFinishedMeanwhile, long aUnfinished) {
        double jobTimes() {
            return waitMs / jobMs;
        }
    }

    void run(int requests, int images, int cap, int threads, int side, int steps, BenchReport report) throws Exception {
        Run capped = measure("starve-capped", cap, requests, images, threads, side, steps);
        Run uncapped = measure("starve-uncapped", 0, requests, images, threads, side, steps);
        report.row(
                "setting",
                "1 worker process, 1 dispatcher (1 partition); tenant A: %d requests x %d images (%dx%d, %d steps)"
                        + " over HTTP, then tenant B: 1 image",
                requests,
                images,
                side,
                side,
                steps);
        row(report, "capped", "max_images_in_flight " + cap + " (A and B)", capped);
        row(report, "uncapped", "no cap", uncapped);
    }

    private static void row(BenchReport report, String key, String label, Run run) {
        report.row(
                        label,
                        "job time %.0f ms; B waited %.2f s = %.2f job-times; A images finished meanwhile %d;"
                                + " A images unfinished when B started %d",
                        run.jobMs(),
                        run.waitMs() / 1000,
                        run.jobTimes(),
                        run.aFinishedMeanwhile(),
                        run.aUnfinished())
                .figure(key + ".job_ms", run.jobMs())
                .figure(key + ".b_wait_ms", run.waitMs())
                .figure(key + ".b_wait_job_times", run.jobTimes())
                .figure(key + ".a_finished_meanwhile", run.aFinishedMeanwhile())
                .figure(key + ".a_unfinished", run.aUnfinished());
    }

    private Run measure(String name, int cap, int requests, int images, int threads, int side, int steps)
            throws Exception {
        BenchStack.Scope scope = bench.scope(name, 1);
        TenantLimits limits = new TenantLimits(0, 0, 0, cap);
        DispatcherConfig config = bench.dispatcherConfig(scope, name, WebhookSettings.defaults())
                .tenants(Tenants.of(Map.of(
                        "tenant-a", new Tenants.Entry(List.of(KEY_A), List.of(), limits),
                        "tenant-b", new Tenants.Entry(List.of(KEY_B), List.of(), limits))))
                .build();
        try (Dispatcher dispatcher = bench.startDispatcher(config);
                TopicWatcher<JobProgress> progress =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobProgress.class);
                TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, name + "-worker").threads(threads).build())) {
            String body = "{\"prompt\": \"a red circle on a blue background\", \"model\": \"%s\", \"n\": %d,"
                    + " \"width\": %d, \"height\": %d, \"steps\": %d}";
            Set<String> ofA = new HashSet<>();
            for (int r = 0; r < requests; r++) {
                ofA.add(post(dispatcher, KEY_A, body.formatted(bench.modelId(), images, side, side, steps)));
            }
            log.printf(Locale.ROOT, "%s: tenant A submitted %d images%n", name, requests * images);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (results.all(Duration.ofMillis(100)).size() < MEASURED_BEFORE) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("tenant A's first images did not finish in " + TIMEOUT);
                }
            }
            // The worker's own finish times: consecutive jobs on one worker, so their differences are job times.
            List<Instant> aDone = results.all(Duration.ZERO).stream()
                    .map(seen -> seen.message().finishedAt())
                    .sorted()
                    .toList();
            List<Double> intervals = new ArrayList<>();
            for (int i = 1; i < aDone.size(); i++) {
                intervals.add(Duration.between(aDone.get(i - 1), aDone.get(i)).toNanos() / 1e6);
            }
            double jobMs = Percentiles.of(intervals).p50();

            Instant submittedAt = Instant.now();
            long submitted = System.nanoTime();
            String ofB = post(dispatcher, KEY_B, body.formatted(bench.modelId(), 1, side, side, steps));
            TopicWatcher.Seen<JobProgress> started =
                    progress.await(p -> p.requestId().equals(ofB), TIMEOUT);
            double waitMs = (started.seenAtNanos() - submitted) / 1e6;
            Instant bStarted = started.message().at();
            List<JobResult> aResults = results.all(Duration.ofSeconds(1)).stream()
                    .map(TopicWatcher.Seen::message)
                    .filter(r -> ofA.contains(r.requestId()))
                    .toList();
            long meanwhile = aResults.stream()
                    .filter(r -> r.finishedAt().isAfter(submittedAt)
                            && r.finishedAt().isBefore(bStarted))
                    .count();
            long unfinished = (long) requests * images
                    - aResults.stream()
                            .filter(r -> r.finishedAt().isBefore(bStarted))
                            .count();
            Run run = new Run(jobMs, waitMs, meanwhile, unfinished);
            log.printf(
                    Locale.ROOT,
                    "%s: B's image started %.0f ms after its POST (%.2f job-times of %.0f ms); %d of A's images"
                            + " finished meanwhile, %d unfinished%n",
                    name,
                    waitMs,
                    run.jobTimes(),
                    jobMs,
                    meanwhile,
                    unfinished);
            worker.kill();
            return run;
        }
    }

    /** POSTs a generation request; the request id of the 202. */
    private String post(Dispatcher dispatcher, String key, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(dispatcher.baseUrl() + "/v1/generations"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode created = JSON.readTree(response.body());
        return created.get("id").asText();
    }
}
