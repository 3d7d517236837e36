package dev.sdfleet.bench.dispatcher;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.bench.fleet.WebhookReceiver;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.KafkaOptions;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.devstack.EmbeddedKafka;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.support.TestTenants;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The dispatcher's bench (a program, not a test): one embedded broker, one dispatcher, a worker that answers at once
 * and a webhook receiver, all on loopback in this JVM. Measures admit throughput (closed loop, one job per request),
 * admit latency at a fixed rate (open loop, timed from each request's scheduled start), result-to-webhook latency,
 * and sends fuzzed requests, requiring no 5xx and a healthy dispatcher afterwards. Run with
 * {@code ./sdfleet bench dispatcher}.
 */
public final class DispatcherBench {
    /** Requests with a webhook sent, and awaited, before the measured ones. */
    private static final int WEBHOOK_WARMUP = 50;

    private static final String BODY = "{\"prompt\":\"a red circle\",\"model\":\"tiny-sd\",\"steps\":20}";

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    private DispatcherBench(String base) {
        this.base = base;
    }

    public static Benchmark benchmark() {
        return new Benchmark(
                "dispatcher",
                "admit throughput and latency, result-to-webhook latency, fuzzed requests (fails on a 5xx)",
                """
                  --requests N     closed loop: requests (default 3000), after 300 unmeasured ones
                  --concurrency N  closed loop: clients (default 32)
                  --rate N         open loop: requests per second (default 100)
                  --seconds N      open loop: for how long (default 20)
                  --webhooks N     requests with a webhook, at 100 req/s, after 50 unmeasured ones (default 300)
                  --fuzz N         fuzzed and malformed requests (default 12000)
                  --threads N      Kafka Streams threads of the dispatcher (default 1)
                  --commit-interval-ms N  the dispatcher's SDFLEET_COMMIT_INTERVAL_MS (default: its default)
                """ + KafkaOptions.HELP,
                Stream.concat(
                                Stream.of(
                                        "requests",
                                        "concurrency",
                                        "rate",
                                        "seconds",
                                        "webhooks",
                                        "fuzz",
                                        "threads",
                                        "commit-interval-ms"),
                                KafkaOptions.VALUED.stream())
                        .collect(Collectors.toUnmodifiableSet()),
                Set.of(),
                DispatcherBench::run);
    }

    private static void run(Args args, BenchReport report, PrintStream log) throws Exception {
        int threads = args.getInt("threads", 1);
        int requests = args.getInt("requests", 3000);
        int concurrency = args.getInt("concurrency", 32);
        int rate = args.getInt("rate", 100);
        int seconds = args.getInt("seconds", 20);
        int webhooks = args.getInt("webhooks", 300);
        if (requests < 1 || concurrency < 1 || rate < 1 || seconds < 1) {
            throw new Args.UsageException("--requests, --concurrency, --rate and --seconds must be at least 1");
        }
        LocalFleet.OutsideKafka outside = KafkaOptions.outsideKafka(args, System.getenv());
        // A null resource is skipped on close: with --kafka-bootstrap no broker is started here.
        try (EmbeddedKafka embedded =
                outside == null ? EmbeddedKafka.builder().numPartitions(4).start() : null) {
            LocalFleet.OutsideKafka kafka =
                    outside != null ? outside : new LocalFleet.OutsideKafka(embedded.bootstrapServers(), Map.of());
            DispatcherConfig.Builder builder = DispatcherConfig.builder(kafka.bootstrapServers())
                    .kafkaProperties(kafka.clientProperties())
                    .topicPrefix("bench.")
                    .applicationId("bench-dispatcher")
                    .instanceId("bench")
                    .httpHost("127.0.0.1")
                    .httpPort(0)
                    .stateDir(Files.createTempDirectory("bench-state"))
                    .partitions(4)
                    .streamThreads(threads)
                    .tenants(TestTenants.tenants())
                    .webhooks(WebhookSettings.defaults().withLoopbackAllowed(true));
            if (args.has("commit-interval-ms")) {
                builder.commitInterval(Duration.ofMillis(args.getInt("commit-interval-ms", 0)));
            }
            DispatcherConfig config = builder.build();
            try (Dispatcher dispatcher = Dispatcher.start(config);
                    BenchWorker worker = new BenchWorker(
                            kafka.client(),
                            config.topics().jobLanesFor("tiny-sd"), // the model BODY asks for, every lane
                            config.topics().results());
                    WebhookReceiver receiver = new WebhookReceiver(TestTenants.ACME_SECRET)) {
                while (!dispatcher.ready()) {
                    Thread.sleep(100);
                }
                log.println("dispatcher ready at " + dispatcher.baseUrl() + "; Kafka " + kafka.bootstrapServers());
                DispatcherBench bench = new DispatcherBench(dispatcher.baseUrl());
                report.row(
                                "setting",
                                "%d stream thread(s), 4 partitions, exactly-once committed every %d ms; a worker that"
                                        + " answers at once; one JVM",
                                threads,
                                config.commitInterval().toMillis())
                        .figure("stream_threads", threads)
                        .figure("commit_interval_ms", config.commitInterval().toMillis());
                bench.closedLoop(300, 16); // warm-up: JIT, connections, producer batches
                long cpuBefore = processCpuNanos();
                double rps = bench.closedLoop(requests, concurrency);
                double cpuPerRequest = (processCpuNanos() - cpuBefore) / 1e6 / requests;
                report.row(
                                "admit throughput (closed loop, " + concurrency + " clients, " + requests
                                        + " requests, 1 job each)",
                                "%.0f req/s",
                                rps)
                        .figure("admit_rps", rps);
                // Throughput on a shared 2-core machine follows the other load; the CPU a request costs does not.
                report.row(
                                "CPU per admitted request in the closed loop (this JVM: broker, dispatcher, worker,"
                                        + " clients)",
                                "%.2f ms",
                                cpuPerRequest)
                        .figure("admit_cpu_ms_per_request", cpuPerRequest);
                log.println("closed loop done; open loop for " + seconds + " s");
                report.percentiles(
                        "admit_latency",
                        "admit latency at " + rate + " req/s for " + seconds
                                + " s, timed from each request's scheduled start",
                        millis(bench.fixedRate(rate, seconds)));
                long[] webhook = bench.webhooks(webhooks, receiver, worker);
                if (webhook.length > 0) {
                    report.percentiles(
                            "webhook_latency",
                            "result published -> webhook received, " + webhook.length + " requests",
                            millis(webhook));
                }
                long all = receiver.deliveries().size();
                long valid = receiver.deliveries().stream()
                        .filter(WebhookReceiver.Delivery::signatureValid)
                        .count();
                report.row("webhook signatures valid", "%d of %d", valid, all)
                        .figure("webhooks_sent", webhooks)
                        .figure("webhooks_received", webhook.length)
                        .figure("webhook_signatures_valid", valid)
                        .figure("webhook_signatures_checked", all);
                Map<Integer, Integer> statuses = bench.fuzz(args.getInt("fuzz", 12000));
                report.row("fuzzed/malformed requests: answers by status", statuses.toString());
                statuses.forEach((status, count) -> report.figure("fuzz.status_" + status, count));
                boolean healthy = bench.healthyAfterwards();
                report.row("ready and admitting afterwards", String.valueOf(healthy))
                        .figure("healthy_afterwards", healthy);
                if (statuses.keySet().stream().anyMatch(s -> s >= 500 || s == FuzzedRequests.NO_ANSWER)) {
                    report.fail("a 5xx answer or none");
                }
                if (!healthy) {
                    report.fail("the dispatcher was not ready and admitting afterwards");
                }
            }
        }
    }

    /** CPU time this JVM has used so far, all threads (GC and JIT included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Percentiles millis(long[] nanos) {
        return Percentiles.of(Arrays.stream(nanos).mapToObj(n -> n / 1e6).toList());
    }

    /** Requests per second with {@code clients} callers each waiting for its answer. */
    private double closedLoop(int requests, int clients) throws Exception {
        AtomicInteger left = new AtomicInteger(requests);
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        expect(202, post(BODY, TestTenants.ACME_KEY, null));
                    }
                    return null;
                });
            }
        }
        return requests / ((System.nanoTime() - started) / 1e9);
    }

    /** Latencies (ns, sorted) of requests started at a fixed rate, each timed from its scheduled start. */
    private long[] fixedRate(int rate, int seconds) throws Exception {
        int total = rate * seconds;
        long[] latencies = new long[total];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long scheduled = start + i * interval;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int index = i;
                pool.submit(() -> {
                    expect(202, post(BODY, TestTenants.ACME_KEY, null));
                    latencies[index] = System.nanoTime() - scheduled;
                    return null;
                });
            }
        }
        Arrays.sort(latencies);
        return latencies;
    }

    /** For each request: from its result's publication to its webhook's arrival (ns, sorted). */
    private long[] webhooks(int requests, WebhookReceiver receiver, BenchWorker worker) throws Exception {
        String body = "{\"prompt\":\"hook\",\"model\":\"tiny-sd\",\"webhook\":{\"url\":\"" + receiver.url() + "\"}}";
        if (requests > 0) {
            // Unmeasured, as the closed loop's first 300: the first calls of the webhook path (its connections,
            // classes, JIT) took 70-190 ms each and were the p99 of 600 on their own.
            receiver.await(sendWebhookRequests(body, WEBHOOK_WARMUP), Duration.ofSeconds(60));
        }
        List<String> ids = sendWebhookRequests(body, requests);
        receiver.await(ids, Duration.ofSeconds(60));
        Map<String, Long> arrivals = receiver.completionArrivals();
        return ids.stream()
                .filter(arrivals::containsKey)
                .mapToLong(id -> arrivals.get(id) - worker.publishedNanos.get(id))
                .sorted()
                .toArray();
    }

    /** Posts {@code requests} requests with a webhook at a steady 100 req/s; returns their ids. */
    private List<String> sendWebhookRequests(String body, int requests) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = post(body, TestTenants.ACME_KEY, null);
            expect(202, answer);
            ids.add(answer.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1"));
            Thread.sleep(10); // a steady 100 req/s, not a burst
        }
        return ids;
    }

    private Map<Integer, Integer> fuzz(int count) throws Exception {
        return FuzzedRequests.send(http, FuzzedRequests.mix(base, TestTenants.ACME_KEY, BODY, count), 16);
    }

    private boolean healthyAfterwards() throws Exception {
        HttpResponse<String> ready =
                http.send(request("/health/ready", null).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> posted = post(BODY, TestTenants.ACME_KEY, null);
        if (ready.statusCode() != 200 || posted.statusCode() != 202) {
            return false;
        }
        String id = posted.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> got = http.send(
                    request("/v1/generations/" + id, TestTenants.ACME_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (got.body().contains("\"status\":\"completed\"")) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private HttpResponse<String> post(String body, String key, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = request("/v1/generations", key).POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(
                    "expected " + status + ", got " + response.statusCode() + ": " + response.body());
        }
    }
}
