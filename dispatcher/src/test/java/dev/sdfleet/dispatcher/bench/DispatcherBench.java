package dev.sdfleet.dispatcher.bench;

import dev.sdfleet.devstack.EmbeddedKafka;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.webhook.WebhookSignature;
import io.vertx.core.Vertx;
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
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The dispatcher's bench (a program, not a test): one embedded broker, one dispatcher, a worker that answers at once
 * and a webhook receiver, all on loopback in this JVM. Measures admit throughput (closed loop, one job per request),
 * admit latency at a fixed rate (open loop, timed from each request's scheduled start), result-to-webhook latency,
 * and sends fuzzed requests, requiring no 5xx and a healthy dispatcher afterwards. Run with {@code dispatcher/bench}.
 */
public final class DispatcherBench {
    private static final String BODY = "{\"prompt\":\"a red circle\",\"model\":\"tiny-sd\",\"steps\":20}";

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    private DispatcherBench(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> opt = options(args);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().numPartitions(4).start()) {
            DispatcherConfig config = DispatcherConfig.builder(kafka.bootstrapServers())
                    .topicPrefix("bench.")
                    .applicationId("bench-dispatcher")
                    .instanceId("bench")
                    .httpHost("127.0.0.1")
                    .httpPort(0)
                    .stateDir(Files.createTempDirectory("bench-state"))
                    .partitions(4)
                    .streamThreads(opt.get("threads"))
                    .tenants(TestTenants.tenants())
                    .webhooks(WebhookSettings.defaults().withLoopbackAllowed(true))
                    .build();
            try (Dispatcher dispatcher = Dispatcher.start(config);
                    BenchWorker worker = new BenchWorker(
                            kafka.bootstrapServers(),
                            config.topics().jobs(),
                            config.topics().results());
                    Receiver receiver = new Receiver()) {
                while (!dispatcher.ready()) {
                    Thread.sleep(100);
                }
                DispatcherBench bench = new DispatcherBench(dispatcher.baseUrl());
                System.out.println(
                        "| measure (" + opt.get("threads") + " stream thread(s), 4 partitions) | value |\n|---|---|");
                bench.closedLoop(300, 16); // warm-up: JIT, connections, producer batches
                double rps = bench.closedLoop(opt.get("requests"), opt.get("concurrency"));
                row(
                        "admit throughput (closed loop, " + opt.get("concurrency") + " clients, " + opt.get("requests")
                                + " requests, 1 job each)",
                        String.format("%.0f req/s", rps));
                long[] latencies = bench.fixedRate(opt.get("rate"), opt.get("seconds"));
                row(
                        "admit latency at " + opt.get("rate") + " req/s for " + opt.get("seconds")
                                + " s (p50 / p99 / max)",
                        ms(pct(latencies, 50)) + " / " + ms(pct(latencies, 99)) + " / "
                                + ms(latencies[latencies.length - 1]));
                long[] webhook = bench.webhooks(opt.get("webhooks"), receiver, worker);
                row(
                        "result published -> webhook received, " + webhook.length + " requests (p50 / p99 / max)",
                        ms(pct(webhook, 50)) + " / " + ms(pct(webhook, 99)) + " / " + ms(webhook[webhook.length - 1]));
                row(
                        "webhook signatures valid",
                        receiver.valid.sum() + " of " + (receiver.valid.sum() + receiver.invalid.sum()));
                Map<Integer, Integer> statuses = bench.fuzz(opt.get("fuzz"));
                row("fuzzed/malformed requests: answers by status", statuses.toString());
                boolean healthy = bench.healthyAfterwards();
                row("ready and admitting afterwards", String.valueOf(healthy));
                if (statuses.keySet().stream().anyMatch(s -> s >= 500) || !healthy) {
                    System.out.println("FAILED: a 5xx answer or an unhealthy dispatcher");
                    System.exit(1);
                }
            }
        }
        System.exit(0);
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
    private long[] webhooks(int requests, Receiver receiver, BenchWorker worker) throws Exception {
        String body = "{\"prompt\":\"hook\",\"model\":\"tiny-sd\",\"webhook\":{\"url\":\"" + receiver.url() + "\"}}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = post(body, TestTenants.ACME_KEY, null);
            expect(202, answer);
            ids.add(answer.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1"));
            Thread.sleep(10); // a steady 100 req/s, not a burst
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ids.stream().allMatch(receiver.arrivals::containsKey) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return ids.stream()
                .filter(receiver.arrivals::containsKey)
                .mapToLong(id -> receiver.arrivals.get(id) - worker.publishedNanos.get(id))
                .sorted()
                .toArray();
    }

    private Map<Integer, Integer> fuzz(int count) throws Exception {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Fuzz fuzz = new Fuzz(42);
        Random random = new Random(7);
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(
                    switch (random.nextInt(20)) {
                        case 0 ->
                            request("/v1/generations", TestTenants.ACME_KEY)
                                    .header("Idempotency-Key", "k".repeat(300))
                                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                                    .build();
                        case 1 ->
                            request("/v1/generations", "wrong-key-" + i)
                                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                                    .build();
                        case 2 ->
                            request(
                                            "/v1/generations/"
                                                    + List.of("..%2F..", "%00", "x".repeat(300), "g-" + i, "a%20b")
                                                            .get(random.nextInt(5)),
                                            TestTenants.ACME_KEY)
                                    .GET()
                                    .build();
                        case 3 ->
                            request("/v1/generations/missing-" + i, TestTenants.ACME_KEY)
                                    .DELETE()
                                    .build();
                        default ->
                            request("/v1/generations", TestTenants.ACME_KEY)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(fuzz.next()))
                                    .build();
                    });
        }
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 16; c++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests.size()) {
                        int status = http.send(requests.get(i), HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        statuses.merge(status, 1, Integer::sum);
                    }
                    return null;
                });
            }
        }
        return new TreeMap<>(statuses);
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

    private static long pct(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * percentile / 100.0) - 1)];
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static void row(String measure, String value) {
        System.out.println("| " + measure + " | " + value + " |");
    }

    private static Map<String, Integer> options(String[] args) {
        Map<String, Integer> opt = new TreeMap<>(Map.of(
                "requests",
                3000,
                "concurrency",
                32,
                "rate",
                100,
                "seconds",
                20,
                "webhooks",
                300,
                "fuzz",
                12000,
                "threads",
                1));
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (!opt.containsKey(kv[0]) || kv.length != 2) {
                throw new IllegalArgumentException("options: " + opt.keySet() + " as --name=value, got " + arg);
            }
            opt.put(kv[0], Integer.parseInt(kv[1]));
        }
        return opt;
    }

    /** Records when each request's generation webhook arrives; checks its signature. */
    private static final class Receiver implements AutoCloseable {
        final Map<String, Long> arrivals = new ConcurrentHashMap<>();
        final LongAdder valid = new LongAdder();
        final LongAdder invalid = new LongAdder();
        private final Vertx vertx = Vertx.vertx();
        private final int port;

        Receiver() {
            var server = vertx.createHttpServer()
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        long now = System.nanoTime();
                        String id = req.getHeader(WebhookSignature.ID_HEADER);
                        boolean ok = WebhookSignature.verify(
                                TestTenants.ACME_SECRET,
                                id,
                                Long.parseLong(req.getHeader(WebhookSignature.TIMESTAMP_HEADER)),
                                body.toString(),
                                req.getHeader(WebhookSignature.SIGNATURE_HEADER));
                        (ok ? valid : invalid).increment();
                        arrivals.putIfAbsent(id.replaceFirst("^msg_", "").replaceFirst("_completed$", ""), now);
                        req.response().setStatusCode(204).end();
                    }));
            port = server.listen(0, "127.0.0.1").await().actualPort();
        }

        String url() {
            return "http://127.0.0.1:" + port + "/bench";
        }

        @Override
        public void close() {
            vertx.close().await();
        }
    }
}
