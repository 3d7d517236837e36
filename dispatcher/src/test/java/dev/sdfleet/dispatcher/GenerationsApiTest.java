package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.streams.Outputs;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.TopicRecorder;
import dev.sdfleet.dispatcher.support.WebhookReceiver;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.TraceParent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dispatcher end to end on the real embedded broker and S3 server, with a fake worker in place of the real one:
 * HTTP and Kafka ingress, splitting, idempotency, cancellation, deadlines, retries, signed webhooks (receiver down,
 * then up, then a redelivery), and the API's error answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationsApiTest {
    private DispatcherConfig config;
    private Topics topics;
    private Dispatcher dispatcher;
    private FakeWorker worker;
    private TopicRecorder recorder;
    private WebhookReceiver receiver;
    private Api api;

    @BeforeAll
    void start() {
        config = TestFleet.config("api");
        topics = config.topics();
        dispatcher = TestFleet.startReady(config);
        worker = new FakeWorker(SharedInfra.get(), topics.jobLanesFor("tiny-sd"), topics.results(), job -> {
            if (job.prompt().startsWith("hold")) {
                return FakeWorker.Action.HOLD;
            }
            if (job.prompt().startsWith("flaky")) {
                return job.attempt() == 1 ? FakeWorker.Action.FAIL_RETRYABLE : FakeWorker.Action.COMPLETE;
            }
            return job.prompt().startsWith("impossible") ? FakeWorker.Action.FAIL : FakeWorker.Action.COMPLETE;
        });
        recorder = new TopicRecorder(
                SharedInfra.get().kafkaBootstrap(), List.of(topics.events(), topics.cancels(), topics.dlq()));
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
    void httpRequestEndsInOneEventAndSignedWebhooks() {
        Api.Answer created =
                api.post("/v1/generations", TestTenants.ACME_KEY, null, """
                {"prompt": "a red circle", "model": "tiny-sd", "n": 2, "seed": 42, "priority": "high",
                 "webhook": {"url": "%s", "events": ["generation.completed", "image.completed"]},
                 "metadata": {"campaign": "spring"}}""".formatted(receiver.url("/hooks/a")));
        assertEquals(202, created.status(), created.raw().body());
        String id = created.json().get("id").asText();
        assertEquals("/v1/generations/" + id, created.header("location"));

        JsonNode done = awaitStatus(id, "completed");
        assertEquals(42, done.at("/images/0/seed").asLong());
        assertEquals(43, done.at("/images/1/seed").asLong());
        for (JsonNode image : done.get("images")) {
            assertEquals("succeeded", image.get("status").asText());
            String key = image.get("key").asText();
            assertNotNull(SharedInfra.get()
                    .s3Client()
                    .headObject(b -> b.bucket(SharedInfra.BUCKET).key(key)));
        }
        List<Job> jobs = jobsOf(id);
        assertEquals(2, jobs.size());
        assertTrue(jobs.stream()
                .allMatch(j -> j.priority() == Priority.HIGH && j.tenant().equals("acme")));

        Generation event = onlyEvent(id);
        assertEquals(GenerationStatus.COMPLETED, event.status());
        assertEquals(Map.of("campaign", "spring"), event.metadata());
        assertEquals(jobs.get(0).seed(), event.images().get(0).seed());

        Eventually.until("three signed webhooks", () -> callsFor(id).size() >= 3);
        assertTrue(callsFor(id).stream().allMatch(WebhookReceiver.Call::signatureValid));
        Set<String> ids = callsFor(id).stream().map(WebhookReceiver.Call::id).collect(Collectors.toSet());
        assertEquals(Set.of("msg_" + id + "_completed", "msg_" + id + "_image0", "msg_" + id + "_image1"), ids);
        WebhookReceiver.Call completed = callsFor(id).stream()
                .filter(c -> c.id().endsWith("_completed"))
                .findFirst()
                .orElseThrow();
        JsonNode body = json(completed.body());
        assertEquals("generation.completed", body.get("type").asText());
        assertEquals(
                "completed", body.at("/data/status").asText(), "the protocol's Generation, as on the events topic");
        assertEquals(
                done.at("/images/1/url").asText(), body.at("/data/images/1/url").asText());

        Eventually.until(
                "deliveries recorded",
                () -> getJson(id).at("/webhook/deliveries").size() == 3 && allDelivered(getJson(id)));
    }

    @Test
    void kafkaIngressUsesTheRequestIdAsIdempotencyKey() throws Exception {
        String id = "ext-" + UUID.randomUUID();
        GenerationRequest request = GenerationRequest.builder("a blue square", "tiny-sd")
                .requestId(id)
                .tenant("acme")
                .n(3)
                .build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.requests(), id, Codec.encode(request)))
                    .get();
            Eventually.until("request completed", () -> eventsOf(id).size() == 1);
            producer.send(new ProducerRecord<>(topics.requests(), id, Codec.encode(request)))
                    .get();
            producer.send(new ProducerRecord<>(topics.requests(), "bad", "{\"prompt\": 5}".getBytes()))
                    .get();
            Eventually.until(
                    "bad record dead-lettered",
                    () -> !recorder.keyed(topics.dlq(), "bad").isEmpty());
        }
        DeadLetter letter =
                Codec.decode(recorder.keyed(topics.dlq(), "bad").get(0).value(), DeadLetter.class);
        assertTrue(letter.fieldErrors().stream().anyMatch(e -> e.field().equals("prompt")), letter.toString());
        // The repeat was processed before the bad record (same partition or not, it is older): no second split.
        assertEquals(3, jobsOf(id).size());
        assertEquals(1, eventsOf(id).size());
        JsonNode seen = getJson(id);
        assertEquals("completed", seen.get("status").asText());
        long base = seen.get("seed").asLong();
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    (base + i) & 0xFFFFFFFFL, seen.at("/images/" + i + "/seed").asLong(), "drawn and recorded");
        }
        assertEquals(
                404, api.get("/v1/generations/" + id, TestTenants.GLOBEX_KEY).status());
    }

    @Test
    void idempotencyKeyGivesTheSameRequestOrConflict() {
        String body = "{\"prompt\": \"a green triangle\", \"model\": \"tiny-sd\"}";
        Api.Answer first = api.post("/v1/generations", TestTenants.ACME_KEY, "order-17", body);
        Api.Answer again = api.post(
                "/v1/generations",
                TestTenants.ACME_KEY,
                "order-17",
                "{\"model\": \"tiny-sd\", \"prompt\": \"a green triangle\", \"n\": 1}");
        Api.Answer other = api.post(
                "/v1/generations",
                TestTenants.ACME_KEY,
                "order-17",
                "{\"prompt\": \"a green circle\", \"model\": \"tiny-sd\"}");
        Api.Answer otherTenant = api.post("/v1/generations", TestTenants.GLOBEX_KEY, "order-17", body);
        assertEquals(202, first.status());
        assertEquals(202, again.status());
        assertEquals("true", again.header("idempotent-replayed"));
        assertEquals(first.json().get("id"), again.json().get("id"));
        assertEquals(409, other.status(), other.raw().body());
        assertEquals(202, otherTenant.status());
        assertNotEquals(first.json().get("id"), otherTenant.json().get("id"));
        String id = first.json().get("id").asText();
        awaitStatus(id, "completed");
        assertEquals(1, jobsOf(id).size());
    }

    @Test
    void cancellingDropsQueuedJobsAndEndsTheRequestCancelled() {
        String id = post("{\"prompt\": \"hold me\", \"model\": \"tiny-sd\", \"n\": 2}");
        Eventually.until(
                "jobs held",
                () -> worker.held().stream()
                                .filter(j -> j.requestId().equals(id))
                                .count()
                        == 2);
        Api.Answer cancel = api.delete("/v1/generations/" + id, TestTenants.ACME_KEY);
        assertEquals(202, cancel.status(), cancel.raw().body());
        JsonNode cancelled = awaitStatus(id, "cancelled");
        assertEquals("cancelled", cancelled.at("/images/0/error/reason").asText());
        assertEquals(GenerationStatus.CANCELLED, onlyEvent(id).status());
        List<ConsumerRecord<String, byte[]>> cancels = recorder.keyed(topics.cancels(), id);
        assertEquals(
                id, Codec.decode(cancels.get(0).value(), CancelRequest.class).requestId());
        assertEquals(
                traceIdOf(cancels.get(0)),
                traceIdOf(recorder.keyed(topics.events(), id).getLast()),
                "the API's cancel and the request's event go in the request's trace");
        worker.release(id); // results after the end change nothing
        assertEquals(
                409, api.delete("/v1/generations/" + id, TestTenants.ACME_KEY).status());
        assertEquals(
                404, api.delete("/v1/generations/" + id, TestTenants.GLOBEX_KEY).status());
        assertEquals(1, eventsOf(id).size());
    }

    @Test
    void queuedJobsPastTheirDeadlineAreDropped() {
        Instant soon = Instant.now().plusSeconds(2);
        String id = post("{\"prompt\": \"hold until late\", \"model\": \"tiny-sd\", \"deadline\": \"" + soon + "\"}");
        JsonNode failed = awaitStatus(id, "failed");
        assertEquals("deadline_exceeded", failed.at("/images/0/error/reason").asText());
        Generation event = onlyEvent(id);
        assertEquals("deadline_exceeded", event.images().get(0).error().reason());
        Eventually.until(
                "workers told to skip",
                () -> !recorder.keyed(topics.cancels(), id).isEmpty());
        assertEquals(1, jobsOf(id).size(), "the job was published while there was time");

        String late = post("{\"prompt\": \"too late\", \"model\": \"tiny-sd\", \"deadline\": \""
                + Instant.now().minusSeconds(1) + "\"}");
        assertEquals("failed", awaitStatus(late, "failed").get("status").asText());
        assertEquals(0, jobsOf(late).size(), "no job of an expired request reaches a worker");
    }

    @Test
    void retryableFailuresArePublishedAgainAndPermanentOnesFail() {
        String flaky = post("{\"prompt\": \"flaky gpu\", \"model\": \"tiny-sd\"}");
        JsonNode done = awaitStatus(flaky, "completed");
        assertEquals(2, done.at("/images/0/attempt").asInt());
        assertEquals(List.of(1, 2), jobsOf(flaky).stream().map(Job::attempt).toList());

        String impossible = post("{\"prompt\": \"impossible shape\", \"model\": \"tiny-sd\", \"n\": 2}");
        assertEquals(
                "invalid_parameters",
                awaitStatus(impossible, "failed").at("/images/1/error/reason").asText());
    }

    @Test
    void webhookReceiverDownThenUpGetsItsDeliveryThenARedelivery() {
        WebhookReceiver late = new WebhookReceiver(TestTenants.ACME_SECRET, FreePorts.pick());
        try (late) {
            String id = post("{\"prompt\": \"a yellow star\", \"model\": \"tiny-sd\", \"webhook\": {\"url\": \""
                    + late.url("/late") + "\"}}");
            awaitStatus(id, "completed");
            Eventually.until(
                    "two failed tries recorded",
                    () -> getJson(id).at("/webhook/deliveries/0/attempts").size() >= 2);
            JsonNode pending = getJson(id).at("/webhook/deliveries/0");
            assertEquals("pending", pending.get("status").asText());
            assertTrue(pending.at("/attempts/0/error").asText().length() > 0);

            late.start();
            Eventually.until("delivered once the receiver is up", () -> allDelivered(getJson(id)));
            assertEquals(1, late.calls().size());
            WebhookReceiver.Call call = late.calls().get(0);
            assertTrue(call.signatureValid());
            assertEquals("msg_" + id + "_completed", call.id());

            Api.Answer redeliver = api.post(
                    "/v1/generations/" + id + "/deliveries/" + call.id() + "/redeliver",
                    TestTenants.ACME_KEY,
                    null,
                    "");
            assertEquals(202, redeliver.status(), redeliver.raw().body());
            Eventually.until("redelivered", () -> late.calls().size() == 2);
            assertEquals(call.id(), late.calls().get(1).id(), "webhook-id is stable across redeliveries");
            assertEquals(call.body(), late.calls().get(1).body(), "so is the body, timestamp included");
            assertTrue(late.calls().get(1).signatureValid());
            assertEquals(
                    404,
                    api.post("/v1/generations/" + id + "/deliveries/nope/redeliver", TestTenants.ACME_KEY, null, "")
                            .status());
        }
    }

    @Test
    void badRequestsGetFieldErrorsAndStrangersGet401Or404() {
        Api.Answer invalid = api.post(
                "/v1/generations", TestTenants.ACME_KEY, null, "{\"prompt\": \"x\", \"n\": 17, \"width\": 13}");
        assertEquals(400, invalid.status());
        Set<String> fields = fields(invalid);
        assertTrue(fields.containsAll(Set.of("n", "width", "model")), fields.toString());
        assertEquals(
                400,
                api.post("/v1/generations", TestTenants.ACME_KEY, null, "{not json")
                        .status());
        assertEquals(
                400, api.post("/v1/generations", TestTenants.ACME_KEY, null, "").status());
        assertEquals(
                Set.of("request_id"),
                fields(api.post(
                        "/v1/generations",
                        TestTenants.ACME_KEY,
                        null,
                        "{\"prompt\": \"x\", \"model\": \"tiny-sd\", \"request_id\": \"mine\"}")));
        assertEquals(
                Set.of("webhook.url"),
                fields(
                        api.post(
                                "/v1/generations",
                                TestTenants.ACME_KEY,
                                null,
                                "{\"prompt\": \"x\", \"model\": \"tiny-sd\", \"webhook\": {\"url\": \"http://169.254.169.254/latest\"}}")));

        assertEquals(401, api.post("/v1/generations", null, null, "{}").status());
        assertEquals(
                401, api.get("/v1/generations/anything", "not-a-key-at-all-000").status());
        String id = post("{\"prompt\": \"acme only\", \"model\": \"tiny-sd\"}");
        assertEquals(
                404, api.get("/v1/generations/" + id, TestTenants.GLOBEX_KEY).status());
        assertEquals(200, api.get("/v1/generations/" + id, TestTenants.ACME_KEY).status());
        assertEquals(404, api.get("/v1/generations/nope", TestTenants.ACME_KEY).status());
        assertEquals(
                404, api.get("/v1/generations/..%2F..", TestTenants.ACME_KEY).status());
    }

    @Test
    void aRecordWith65HeadersIsParkedAndTheFleetGoesOn() throws Exception {
        String poison = "poison-" + UUID.randomUUID();
        String odd = "odd-" + UUID.randomUUID();
        GenerationRequest valid = GenerationRequest.builder("a white cube", "tiny-sd")
                .requestId(odd)
                .tenant("acme")
                .build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            ProducerRecord<String, byte[]> bad =
                    new ProducerRecord<>(topics.requests(), poison, new byte[] {(byte) 0xff, 0, '{'});
            ProducerRecord<String, byte[]> good = new ProducerRecord<>(topics.requests(), odd, Codec.encode(valid));
            for (ProducerRecord<String, byte[]> record : List.of(bad, good)) {
                record.headers().add("", new byte[] {1});
                record.headers().add(Outputs.INGRESS_HEADER, null);
                for (int i = 0; i < 65; i++) {
                    record.headers().add("h" + i, ("header " + i).getBytes(StandardCharsets.UTF_8));
                }
                producer.send(record).get();
            }
        }
        Eventually.until(
                "poison dead-lettered",
                () -> !recorder.keyed(topics.dlq(), poison).isEmpty());
        DeadLetter letter =
                Codec.decode(recorder.keyed(topics.dlq(), poison).get(0).value(), DeadLetter.class);
        assertEquals(DeadLetterReason.MALFORMED, letter.reason());
        assertEquals(topics.requests(), letter.topic());
        assertEquals(64, letter.headers().size());
        assertEquals(3, letter.headersDropped());

        Eventually.until(
                "the valid request with the same odd headers completed",
                () -> eventsOf(odd).size() == 1);
        assertEquals(GenerationStatus.COMPLETED, eventsOf(odd).get(0).status());
        String id = post("{\"prompt\": \"after the poison\", \"model\": \"tiny-sd\"}");
        awaitStatus(id, "completed");
        assertEquals(200, api.get("/health/live", null).status());
        assertTrue(dispatcher
                .metrics()
                .scrape()
                .contains("sdfleet_dispatcher_dead_letters_total{input=\"requests\",reason=\"malformed\"}"));
    }

    @Test
    void controlCharactersInPromptsAreRefusedAtBothDoors() throws Exception {
        assertEquals(
                Set.of("prompt"),
                fields(api.post(
                        "/v1/generations",
                        TestTenants.ACME_KEY,
                        null,
                        "{\"prompt\": \"a red\\u0000circle\", \"model\": \"tiny-sd\"}")));
        assertEquals(
                Set.of("negative_prompt"),
                fields(api.post(
                        "/v1/generations",
                        TestTenants.ACME_KEY,
                        null,
                        "{\"prompt\": \"ok\", \"negative_prompt\": \"esc\\u001b[2J\", \"model\": \"tiny-sd\"}")));

        String id = "nul-" + UUID.randomUUID();
        String json = Codec.encodeToString(GenerationRequest.builder("a NUL here", "tiny-sd")
                        .requestId(id)
                        .tenant("acme")
                        .build())
                .replace("a NUL here", "a NUL\\u0000here");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.requests(), id, json.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        Eventually.until(
                "dead-lettered", () -> !recorder.keyed(topics.dlq(), id).isEmpty());
        DeadLetter letter = Codec.decode(recorder.keyed(topics.dlq(), id).get(0).value(), DeadLetter.class);
        assertEquals(DeadLetterReason.INVALID_MESSAGE, letter.reason());
        assertEquals(
                List.of("prompt"),
                letter.fieldErrors().stream().map(e -> e.field()).toList(),
                letter.toString());
        assertTrue(jobsOf(id).isEmpty());
    }

    @Test
    void theFleetsModelsAreListedAndNoOtherModelGetsIn() throws Exception {
        Api.Answer models = api.get("/v1/models", TestTenants.ACME_KEY);
        assertEquals(200, models.status(), models.raw().body());
        assertEquals("tiny-sd", models.json().at("/data/0/id").asText());
        assertEquals(64, models.json().at("/data/0/default_width").asInt());
        assertEquals(20, models.json().at("/data/0/default_steps").asInt());
        assertEquals(1, models.json().get("data").size());

        Api.Answer unknown =
                api.post("/v1/generations", TestTenants.ACME_KEY, null, "{\"prompt\": \"x\", \"model\": \"sdxl\"}");
        assertEquals(400, unknown.status());
        assertEquals(Set.of("model"), fields(unknown));
        assertTrue(
                unknown.raw().body().contains("GET /v1/models"), unknown.raw().body());

        // No size or steps: the model's defaults (64x64, 20 steps), not the protocol's SD 1.5 ones (512, 30).
        String id = post("{\"prompt\": \"model defaults\", \"model\": \"tiny-sd\"}");
        Job job = Eventually.value(
                "the job", () -> jobsOf(id).isEmpty() ? null : jobsOf(id).get(0));
        assertEquals(List.of(64, 64, 20), List.of(job.width(), job.height(), job.steps()));

        String kafkaId = "sdxl-" + UUID.randomUUID();
        DeadLetter letter = publishAndAwaitDeadLetter(GenerationRequest.builder("no such model", "sdxl")
                .requestId(kafkaId)
                .tenant("acme")
                .build());
        assertEquals(
                List.of("model"),
                letter.fieldErrors().stream().map(e -> e.field()).toList(),
                letter.toString());
        assertTrue(jobsOf(kafkaId).isEmpty(), "nothing reached a worker");
    }

    @Test
    void aTenantOverItsLimitsIsRefusedAndOthersAreNot() throws Exception {
        String body = "{\"prompt\": \"x\", \"model\": \"tiny-sd\", \"steps\": 20}";
        Api.Answer tooLarge = api.post(
                "/v1/generations",
                TestTenants.INITECH_KEY,
                null,
                "{\"prompt\": \"x\", \"model\": \"tiny-sd\", \"steps\": 20, \"n\": 3}");
        assertEquals(400, tooLarge.status(), tooLarge.raw().body());
        assertEquals(Set.of("n"), fields(tooLarge));
        assertTrue(
                tooLarge.raw().body().contains("max_request_cost"),
                tooLarge.raw().body());

        Api.Answer refused = api.post("/v1/generations", TestTenants.INITECH_KEY, null, body);
        assertEquals(
                429,
                refused.status(),
                "the burst of one went to the first request: " + refused.raw().body());
        assertEquals("requests_per_second", refused.json().get("limit").asText());
        assertTrue(Long.parseLong(refused.header("retry-after")) >= 1, refused.header("retry-after"));
        assertEquals(
                202,
                api.post("/v1/generations", TestTenants.ACME_KEY, null, body).status(),
                "acme is not slowed");

        String kafkaId = "big-" + UUID.randomUUID();
        DeadLetter letter = publishAndAwaitDeadLetter(GenerationRequest.builder("too many", "tiny-sd")
                .requestId(kafkaId)
                .tenant("initech")
                .n(3)
                .build());
        assertEquals(
                List.of("n"), letter.fieldErrors().stream().map(e -> e.field()).toList(), letter.toString());
        assertTrue(jobsOf(kafkaId).isEmpty());
    }

    /** Publishes {@code request} on the requests topic as an outside service would; returns its dead letter. */
    private DeadLetter publishAndAwaitDeadLetter(GenerationRequest request) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.requests(), request.requestId(), Codec.encode(request)))
                    .get();
        }
        Eventually.until(
                "dead-lettered",
                () -> !recorder.keyed(topics.dlq(), request.requestId()).isEmpty());
        return Codec.decode(
                recorder.keyed(topics.dlq(), request.requestId()).get(0).value(), DeadLetter.class);
    }

    private String post(String body) {
        Api.Answer answer = api.post("/v1/generations", TestTenants.ACME_KEY, null, body);
        assertEquals(202, answer.status(), answer.raw().body());
        return answer.json().get("id").asText();
    }

    private JsonNode awaitStatus(String id, String status) {
        return Eventually.value(id + " " + status, () -> {
            JsonNode view = getJson(id);
            return status.equals(view.path("status").asText()) ? view : null;
        });
    }

    private JsonNode getJson(String id) {
        return api.get("/v1/generations/" + id, TestTenants.ACME_KEY).json();
    }

    private List<Job> jobsOf(String id) {
        return worker.seen().stream().filter(j -> j.requestId().equals(id)).toList();
    }

    private List<Generation> eventsOf(String id) {
        return recorder.keyed(topics.events(), id).stream()
                .map(r -> Codec.decode(r.value(), Generation.class))
                .toList();
    }

    private Generation onlyEvent(String id) {
        Eventually.until("event of " + id, () -> !eventsOf(id).isEmpty());
        List<Generation> events = eventsOf(id);
        assertEquals(1, events.size(), "exactly one request event");
        return events.get(0);
    }

    private List<WebhookReceiver.Call> callsFor(String id) {
        return receiver.calls().stream()
                .filter(c -> c.id() != null && c.id().startsWith("msg_" + id + "_"))
                .toList();
    }

    private static boolean allDelivered(JsonNode view) {
        JsonNode deliveries = view.at("/webhook/deliveries");
        if (deliveries.isEmpty()) {
            return false;
        }
        for (JsonNode d : deliveries) {
            if (!"delivered".equals(d.get("status").asText())) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> fields(Api.Answer answer) {
        assertEquals(400, answer.status(), answer.raw().body());
        Set<String> fields = new java.util.TreeSet<>();
        answer.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    private static JsonNode json(String text) {
        try {
            return StateJson.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.get().kafkaBootstrap()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    private static String traceIdOf(ConsumerRecord<String, byte[]> record) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(TraceParent.HEADER);
        assertNotNull(header, "a traceparent on " + record.topic());
        return TraceParent.parse(new String(header.value(), java.nio.charset.StandardCharsets.UTF_8))
                .orElseThrow()
                .traceId();
    }
}
