package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.TraceParent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's JSON log lines (the layout {@code SDFLEET_LOG_FORMAT=json} selects, on an appender of this test)
 * about one request: the admission, the stream task handling a result, and each webhook try carry the request id,
 * and those that know them the tenant and the caller's trace id.
 */
class DispatcherLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOGGERS = "dev.sdfleet.dispatcher";

    /** Collects what the JSON layout writes. */
    private static final class JsonLines extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        JsonLines(JsonTemplateLayout layout) {
            super("json-lines", null, layout, false, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            lines.add(((JsonTemplateLayout) getLayout()).toSerializable(event));
        }
    }

    @Test
    void linesAboutARequestNameItsRequestTenantAndTrace() throws Exception {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        JsonLines appender = new JsonLines(JsonTemplateLayout.newBuilder()
                .setConfiguration(configuration)
                .setEventTemplateUri("classpath:EcsLayout.json")
                .build());
        appender.start();
        // The processor's per-record lines are DEBUG: this test listens to everything the dispatcher says.
        LoggerConfig listening = new LoggerConfig(LOGGERS, Level.DEBUG, true);
        listening.addAppender(appender, Level.DEBUG, null);
        configuration.addLogger(LOGGERS, listening);
        context.updateLoggers();

        AtomicInteger webhookCalls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // The first try fails, so a retry line is logged too.
            exchange.sendResponseHeaders(webhookCalls.incrementAndGet() == 1 ? 500 : 204, -1);
            exchange.close();
        });
        receiver.start();
        DispatcherConfig config = TestFleet.config("logs");
        TraceParent caller = TraceParent.generate();
        String id;
        try (Dispatcher dispatcher = TestFleet.startReady(config);
                FakeWorker worker = new FakeWorker(
                        SharedInfra.get(),
                        config.topics().jobLanesFor("tiny-sd"),
                        config.topics().results(),
                        job -> FakeWorker.Action.COMPLETE)) {
            String body = """
                    {"prompt": "a red circle", "model": "tiny-sd",
                     "webhook": {"url": "http://127.0.0.1:%d/hook", "events": ["generation.completed"]}}""".formatted(receiver.getAddress().getPort());
            HttpResponse<String> created = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(dispatcher.baseUrl() + "/v1/generations"))
                                    .header("authorization", "Bearer " + TestTenants.ACME_KEY)
                                    .header("content-type", "application/json")
                                    .header("traceparent", caller.header())
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, created.statusCode(), created.body());
            id = JSON.readTree(created.body()).get("id").asText();
            assertEquals(
                    caller.traceId(),
                    TraceParent.parse(
                                    created.headers().firstValue("traceparent").orElse(""))
                            .orElseThrow()
                            .traceId());
            Eventually.until("a failed and a delivered webhook try", () -> webhookCalls.get() >= 2);
            // A result for this request once it has finished: the stream task drops it, at DEBUG, naming the job.
            String requestId = id;
            publishLateResult(config, requestId, caller);
            Eventually.until(
                    "the late result's line",
                    () -> appender.lines.stream().anyMatch(l -> l.contains("ignored") && l.contains(requestId)));
            Eventually.until(
                    "the webhook's delivered line",
                    () -> appender.lines.stream().anyMatch(l -> l.contains("delivered") && l.contains(requestId)));
        } finally {
            receiver.stop(0);
            configuration.removeLogger(LOGGERS);
            context.updateLoggers();
            appender.stop();
        }

        List<JsonNode> entries =
                appender.lines.stream().map(DispatcherLogsTest::parse).toList();
        List<JsonNode> about = entries.stream()
                .filter(entry -> entry.path("message").asText().contains(id))
                .toList();
        // The admission, two webhook tries, the late result at least.
        assertTrue(about.size() >= 4, entries.toString());
        for (JsonNode entry : about) {
            assertEquals(id, entry.path("request_id").asText(), entry.toString());
            assertEquals(caller.traceId(), entry.path("trace_id").asText(), entry.toString());
        }
        for (JsonNode entry : withMessage(entries, "Admitted request")) {
            assertEquals("acme", entry.path("tenant").asText(), entry.toString());
        }
        List<JsonNode> webhooks = withMessage(entries, "Webhook msg_");
        assertTrue(webhooks.size() >= 2, webhooks.toString());
        for (JsonNode entry : webhooks) {
            assertEquals("acme", entry.path("tenant").asText(), entry.toString());
            assertEquals("msg_" + id + "_completed", entry.path("webhook_id").asText(), entry.toString());
        }
        List<JsonNode> late = withMessage(entries, "ignored");
        assertEquals(1, late.size(), late.toString());
        assertEquals(id + "/0", late.getFirst().path("job_id").asText(), late.toString());
    }

    private static List<JsonNode> withMessage(List<JsonNode> entries, String text) {
        return entries.stream()
                .filter(entry -> entry.path("message").asText().contains(text))
                .toList();
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            assertTrue(node != null && node.isObject(), line);
            return node;
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static void publishLateResult(DispatcherConfig config, String requestId, TraceParent trace)
            throws Exception {
        JobResult result = new JobResult(
                ProtocolMessage.CURRENT_SCHEMA_VERSION,
                requestId + "/0",
                requestId,
                0,
                1,
                JobStatus.FAILED,
                "w-late",
                0,
                Map.of(),
                null,
                Failure.of(FailureReason.INTERNAL, "late", false),
                Instant.now());
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(result, "/sdfleet/test", Instant.now())
                .toMap()
                .forEach(headers::add);
        headers.add(TraceParent.HEADER, trace.child().headerBytes());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfra.get().kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(
                            config.topics().results(), null, requestId, Codec.encode(result), headers))
                    .get();
        }
    }
}
