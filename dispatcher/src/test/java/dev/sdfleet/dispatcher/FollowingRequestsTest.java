package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.http.ApiVerticle;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.TopicRecorder;
import dev.sdfleet.dispatcher.support.WebhookReceiver;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.Topics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Following requests from outside, on the real broker and S3 server with a fake worker that reports progress: GET
 * shows each image's step as the worker reports it, the event stream pushes it and then the end, progress webhooks
 * come at most once a second, the list pages through a tenant's own requests; and every document on every channel
 * (GET, stream, webhook data, events topic) passes the protocol's one Generation schema, which the OpenAPI document
 * describes with the same fields.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FollowingRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema GENERATION = SchemaRegistry.withDialect(
                    Dialects.getDraft202012(),
                    builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(
                                    MessageType.SCHEMA_ID_BASE, "classpath:" + MessageType.SCHEMA_RESOURCE_FOLDER))
                            .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                    .formatAssertionsEnabled(true)
                                    .build()))
            .getSchema(SchemaLocation.of(MessageType.GENERATION.schemaId()));

    private DispatcherConfig config;
    private Topics topics;
    private Dispatcher dispatcher;
    private FakeWorker worker;
    private TopicRecorder recorder;
    private WebhookReceiver receiver;
    private Api api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        config = TestFleet.config("follow");
        topics = config.topics();
        dispatcher = TestFleet.startReady(config);
        worker = new FakeWorker(
                SharedInfra.get(),
                topics.jobLanesFor("tiny-sd"),
                topics.results(),
                job -> job.prompt().startsWith("hold") ? FakeWorker.Action.HOLD : FakeWorker.Action.COMPLETE);
        recorder = new TopicRecorder(SharedInfra.get().kafkaBootstrap(), List.of(topics.events()));
        receiver = new WebhookReceiver(TestTenants.ACME_SECRET, FreePorts.pick()).start();
        api = new Api(dispatcher.baseUrl());
    }

    @AfterAll
    void stop() throws Exception {
        try (var r = receiver;
                var w = worker;
                var rec = recorder;
                var d = dispatcher) {
            // closed in reverse order
        }
    }

    @Test
    void progressShowsInGetTheStreamAndWebhooksAndEveryDocumentHasTheOneShape() throws Exception {
        Api.Answer created =
                api.post("/v1/generations", TestTenants.ACME_KEY, null, """
                {"prompt": "hold and watch", "model": "tiny-sd", "steps": 20,
                 "webhook": {"url": "%s", "events": ["generation.progress", "generation.completed"]}}""".formatted(receiver.url("/hooks/follow")));
        assertEquals(202, created.status(), created.raw().body());
        String id = created.json().get("id").asText();
        Eventually.until("the job reaches the worker", () -> held(id) != null);
        Job job = held(id);

        List<String> streamed = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> readStream(id, streamed));
        Eventually.until("the stream's first event", () -> !streamed.isEmpty());

        worker.progress(job, 5);
        Eventually.until("GET shows step 5", () -> get(id).at("/images/0/step").asInt() == 5);
        JsonNode running = get(id);
        assertEquals("running", running.at("/images/0/status").asText());
        assertEquals(20, running.at("/images/0/total_steps").asInt());
        assertEquals("in_progress", running.get("status").asText(), "an image runs");
        Eventually.until("the stream shows step 5", () -> streamed.stream().anyMatch(e -> e.contains("\"step\":5")));
        Eventually.until("a progress webhook", () -> !callsFor(id).isEmpty());

        // A report within a second of the last stored one is dropped; the next one after the second is stored.
        worker.progress(job, 6);
        Thread.sleep(1_100);
        worker.progress(job, 7);
        Eventually.until("GET shows step 7", () -> get(id).at("/images/0/step").asInt() == 7);
        worker.release(id);
        stream.get(30, TimeUnit.SECONDS); // the stream ends with the request
        String last = streamed.getLast();
        assertTrue(last.startsWith("event: generation.completed"), last);
        assertTrue(
                streamed.stream().limit(streamed.size() - 1).allMatch(e -> e.startsWith("event: generation.progress")));

        Eventually.until(
                "the completed webhook", () -> callsFor(id).stream().anyMatch(c -> c.id().endsWith("_completed")));
        List<WebhookReceiver.Call> progress =
                callsFor(id).stream().filter(c -> c.id().contains("_progress")).toList();
        assertFalse(progress.isEmpty());
        assertTrue(progress.size() <= 2, "two stored reports a second apart: " + progress.size() + " messages");

        // One shape: GET, each streamed document, each webhook's data, each event on the topic.
        List<JsonNode> documents = new ArrayList<>();
        documents.add(get(id));
        for (String event : streamed) {
            documents.add(JSON.readTree(event.substring(event.indexOf("data: ") + 6)));
        }
        for (WebhookReceiver.Call call : callsFor(id)) {
            assertTrue(call.signatureValid());
            documents.add(JSON.readTree(call.body()).get("data"));
        }
        Eventually.until(
                "the final event on the topic",
                () -> events(id).stream().anyMatch(e -> e.get("status").asText().equals("completed")));
        documents.addAll(events(id));
        for (JsonNode document : documents) {
            List<Error> errors = GENERATION.validate(document);
            assertTrue(errors.isEmpty(), document + ": " + errors);
            assertEquals(id, document.get("id").asText());
        }
        assertTrue(events(id).stream()
                .anyMatch(e -> e.at("/images/0/status").asText().equals("running")));
    }

    @Test
    void theListPagesThroughTheCallersOwnRequestsNewestFirst() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(submit(TestTenants.ACME_KEY, "list me " + i));
        }
        String theirs = submit(TestTenants.GLOBEX_KEY, "not yours");
        // Every request ends before the lists are read: the other tenant's too, else its "queued" page may or may
        // not be empty.
        for (String id : mine) {
            Eventually.until(
                    id + " completed", () -> get(id).get("status").asText().equals("completed"));
        }
        Eventually.until(
                theirs + " completed",
                () -> statusAs(theirs, TestTenants.GLOBEX_KEY).equals("completed"));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Answer page = api.get(
                    "/v1/generations?status=completed&limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    TestTenants.ACME_KEY);
            assertEquals(200, page.status(), page.raw().body());
            page.json().get("data").forEach(d -> seen.add(d.get("id").asText()));
            cursor = page.json().path("next_cursor").asText(null);
            pages++;
        } while (cursor != null && pages < 20);
        assertFalse(seen.contains(theirs), "another tenant's request");
        List<String> newestFirst = new ArrayList<>(mine.reversed());
        assertEquals(newestFirst, seen.stream().filter(mine::contains).toList());
        assertEquals(Set.copyOf(seen).size(), seen.size(), "no request on two pages");

        Api.Answer globex = api.get("/v1/generations", TestTenants.GLOBEX_KEY);
        assertEquals(List.of(theirs), ids(globex.json()));
        assertEquals(
                0,
                api.get("/v1/generations?status=queued", TestTenants.GLOBEX_KEY)
                        .json()
                        .get("data")
                        .size());

        assertEquals(Set.of("limit"), fields(api.get("/v1/generations?limit=0", TestTenants.ACME_KEY)));
        assertEquals(Set.of("status"), fields(api.get("/v1/generations?status=done", TestTenants.ACME_KEY)));
        assertEquals(Set.of("cursor"), fields(api.get("/v1/generations?cursor=not-a-cursor", TestTenants.ACME_KEY)));
        assertEquals(401, api.get("/v1/generations", null).status());
    }

    @Test
    void theStreamOfAnotherTenantsRequestIsNotFound() {
        String id = submit(TestTenants.ACME_KEY, "mine alone");
        assertEquals(
                404,
                api.get("/v1/generations/" + id + "/events", TestTenants.GLOBEX_KEY)
                        .status());
        assertEquals(
                404,
                api.get("/v1/generations/nope/events", TestTenants.ACME_KEY).status());
    }

    @Test
    void theOpenApiDocumentDescribesTheWebhooksWithTheProtocolsGenerationFields() throws Exception {
        JsonNode openapi;
        try (InputStream in = ApiVerticle.class.getResourceAsStream(ApiVerticle.OPENAPI_RESOURCE)) {
            openapi = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        Set<String> webhooks = new TreeSet<>();
        openapi.get("webhooks").fieldNames().forEachRemaining(webhooks::add);
        assertEquals(
                Set.of("generation.completed", "generation.failed", "generation.progress", "image.completed"),
                webhooks);
        JsonNode protocol;
        try (InputStream in =
                MessageType.class.getClassLoader().getResourceAsStream(MessageType.GENERATION.schemaResource())) {
            protocol = JSON.readTree(in);
        }
        JsonNode described = openapi.at("/components/schemas/Generation");
        assertEquals(names(protocol.get("properties")), names(described.get("properties")));
        assertEquals(texts(protocol.get("required")), texts(described.get("required")));
        assertEquals(texts(protocol.at("/properties/status/enum")), texts(described.at("/properties/status/enum")));
        JsonNode image = openapi.at("/components/schemas/Image");
        assertEquals(names(protocol.at("/$defs/image/properties")), names(image.get("properties")));
        assertEquals(
                texts(protocol.at("/$defs/image/properties/status/enum")), texts(image.at("/properties/status/enum")));
    }

    private void readStream(String id, List<String> events) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(dispatcher.baseUrl() + "/v1/generations/" + id + "/events"))
                .header("authorization", "Bearer " + TestTenants.ACME_KEY)
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals(
                    "text/event-stream",
                    response.headers().firstValue("content-type").orElse(""));
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                StringBuilder event = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!event.isEmpty() && !event.toString().startsWith(":")) {
                            // "id: n" first, then "event:" and "data:"; kept from "event:" on
                            String text = event.toString();
                            events.add(text.substring(text.indexOf("event: ")));
                        }
                        event.setLength(0);
                    } else {
                        event.append(line).append('\n');
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String submit(String key, String prompt) {
        Api.Answer created = api.post(
                "/v1/generations", key, null, "{\"prompt\": \"%s\", \"model\": \"tiny-sd\"}".formatted(prompt));
        assertEquals(202, created.status(), created.raw().body());
        return created.json().get("id").asText();
    }

    private Job held(String requestId) {
        return worker.held().stream()
                .filter(j -> j.requestId().equals(requestId))
                .findFirst()
                .orElse(null);
    }

    private JsonNode get(String id) {
        return api.get("/v1/generations/" + id, TestTenants.ACME_KEY).json();
    }

    private String statusAs(String id, String apiKey) {
        return api.get("/v1/generations/" + id, apiKey).json().path("status").asText();
    }

    private List<WebhookReceiver.Call> callsFor(String id) {
        return receiver.calls().stream()
                .filter(c -> c.id().startsWith("msg_" + id + "_"))
                .toList();
    }

    private List<JsonNode> events(String id) {
        List<JsonNode> found = new ArrayList<>();
        for (var record : recorder.keyed(topics.events(), id)) {
            try {
                found.add(JSON.readTree(record.value()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return found;
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(d -> ids.add(d.get("id").asText()));
        return ids;
    }

    private static Set<String> fields(Api.Answer answer) {
        assertEquals(400, answer.status(), answer.raw().body());
        Set<String> fields = new TreeSet<>();
        answer.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
