package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.config.WorkerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every metric the dashboard and the alert rules name is exposed by the real services: a worker on the tiny model and
 * a dispatcher on embedded Kafka and S3 serve one request end to end (with a webhook) and dead-letter one poison
 * record, then both {@code /metrics} pages are read.
 */
class MetricsExposedTest {
    static final Pattern METRIC = Pattern.compile("\\bsdfleet_[a-z0-9_]+");
    static final String API_KEY = "sk-infra-check-0123456789";
    static final String TENANTS = "{\"infra\": {\"api_keys\": [\"" + API_KEY + "\"], "
            + "\"webhook_secrets\": [\"whsec_aW5mcmEtY2hlY2std2ViaG9vay1zZWNyZXQtMzI=\"]}}";
    static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The sdfleet_* names the dashboard's queries and the alert rules' expressions use. */
    static Set<String> referencedMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        JsonNode dashboard =
                JSON.readTree(Repo.path("infra/base/dashboards/sdfleet.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            panel.get("targets")
                    .forEach(t -> names.addAll(metricsIn(t.get("expr").asText())));
        }
        Manifests.Doc rules = Manifests.find(Manifests.kubernetes(), "PrometheusRule", "sdfleet");
        for (Object group : Manifests.list(Manifests.map(rules.body(), "spec"), "groups")) {
            for (Object rule : Manifests.list(Manifests.cast(group), "rules")) {
                names.addAll(metricsIn((String) Manifests.cast(rule).get("expr")));
            }
        }
        return names;
    }

    static Set<String> metricsIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Sample names of a Prometheus text page (histogram buckets, sums and counts each count as a name). */
    static Set<String> exposed(String page) {
        Set<String> names = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardAndAlertsUseIsExposed() throws Exception {
        Set<String> referenced = referencedMetrics();
        assertTrue(referenced.size() >= 15, "referenced: " + referenced);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CountDownLatch webhook = new CountDownLatch(1);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            webhook.countDown();
        });
        receiver.start();
        Path state = Files.createTempDirectory("infra-check-dispatcher-");
        try (TestInfra infra = TestInfra.start()) {
            Topics topics = Topics.defaults().forModel("tiny-sd"); // the worker's view: its model's jobs topic
            Map<String, Integer> partitions = new HashMap<>();
            topics.all().forEach(t -> partitions.put(t, 2));
            infra.createTopics(partitions);
            infra.createBucket("sdfleet");
            WorkerConfig workerConfig = WorkerConfig.builder()
                    .workerId("infra-check")
                    .kafkaBootstrap(infra.kafkaBootstrap())
                    .s3Endpoint(infra.s3Endpoint())
                    .s3AccessKey(infra.s3Credentials().accessKey())
                    .s3SecretKey(infra.s3Credentials().secretKey())
                    .s3Bucket("sdfleet")
                    .model(TinyModels.sd().toString())
                    .threads(1)
                    .httpPort(0)
                    .drainTimeout(Duration.ofSeconds(30))
                    .build();
            DispatcherConfig dispatcherConfig = DispatcherConfig.builder(infra.kafkaBootstrap())
                    .instanceId("d1")
                    .stateDir(state)
                    .httpHost("127.0.0.1")
                    .httpPort(0)
                    .partitions(2)
                    .tick(Duration.ofMillis(100))
                    .tenants(Tenants.parse(TENANTS))
                    .webhooks(WebhookSettings.defaults().withLoopbackAllowed(true))
                    .build();
            try (Worker worker = new Worker(workerConfig).start();
                    Dispatcher dispatcher = Dispatcher.start(dispatcherConfig)) {
                until("dispatcher ready", dispatcher::ready);
                until("worker ready", worker::isReady);
                String id = submit(
                        dispatcher,
                        "{\"prompt\": \"a red circle on a blue background\", \"model\": \"tiny-sd\", \"steps\": 4, "
                                + "\"webhook\": {\"url\": \"http://127.0.0.1:"
                                + receiver.getAddress().getPort() + "/hook\"}}");
                until("request completed", () -> "completed".equals(status(dispatcher, id)));
                assertTrue(webhook.await(60, TimeUnit.SECONDS), "the webhook arrived");
                poison(infra.kafkaBootstrap(), topics.jobs());
                until(
                        "poison record dead-lettered",
                        () -> worker.metrics()
                                .scrape()
                                .contains("outcome=\"dead_lettered\",worker=\"infra-check\"} 1.0"));

                Set<String> exposed = new TreeSet<>(exposed(get("http://127.0.0.1:" + worker.httpPort() + "/metrics")));
                exposed.addAll(exposed(get(dispatcher.baseUrl() + "/metrics")));
                Set<String> missing = new TreeSet<>(referenced);
                missing.removeAll(exposed);
                assertEquals(Set.of(), missing, "named in infra/ but exposed by no service");
            }
        } finally {
            receiver.stop(0);
        }
    }

    static String submit(Dispatcher dispatcher, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(dispatcher.baseUrl() + "/v1/generations"))
                        .header("Authorization", "Bearer " + API_KEY)
                        .header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("id").asText();
    }

    static String status(Dispatcher dispatcher, String id) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(dispatcher.baseUrl() + "/v1/generations/" + id))
                        .header("Authorization", "Bearer " + API_KEY)
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200
                ? JSON.readTree(response.body()).get("status").asText()
                : "";
    }

    static String get(String url) throws Exception {
        return HTTP.sendAsync(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .get(30, TimeUnit.SECONDS)
                .body();
    }

    static void poison(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            topic,
                            "poison".getBytes(StandardCharsets.UTF_8),
                            "this is not a job".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not publish the poison record", e);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits up to two minutes (embedded servers and a CPU model on 2 cores are slow, not wrong). */
    static void until(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }
}
