package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.TopicRecorder;
import dev.sdfleet.dispatcher.support.WebhookReceiver;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two instances share the work (each owns some partitions; a call about any request is right on either), and an
 * instance that stops in the middle of requests loses nothing: the other restores its partitions from the
 * changelogs and finishes them, with exactly one event each; the restarted instance answers for them again.
 */
class RestartAndOwnershipTest {
    private static final int REQUESTS = 6;

    @Test
    void twoInstancesAnswerForEveryRequestAndARestartLosesNothing() throws Exception {
        DispatcherConfig configA = TestFleet.config("restart");
        DispatcherConfig configB = configA.toBuilder()
                .instanceId("d2")
                .stateDir(TestFleet.tempDir())
                .build();
        try (WebhookReceiver receiver = new WebhookReceiver(TestTenants.ACME_SECRET, FreePorts.pick());
                FakeWorker worker = new FakeWorker(
                        SharedInfra.get(),
                        configA.topics().jobLanesFor("tiny-sd"),
                        configA.topics().results(),
                        job -> FakeWorker.Action.HOLD);
                TopicRecorder events = new TopicRecorder(
                        SharedInfra.get().kafkaBootstrap(),
                        List.of(configA.topics().events()));
                Dispatcher b = TestFleet.startReady(configB)) {
            Dispatcher a = TestFleet.startReady(configA);
            List<String> ids = new ArrayList<>();
            try {
                Api viaA = new Api(a.baseUrl());
                Api viaB = new Api(b.baseUrl());
                Eventually.until("both instances running after the rebalance", () -> a.ready() && b.ready());
                for (int n = 0; n < REQUESTS; n++) {
                    int i = n;
                    Api via = i % 2 == 0 ? viaA : viaB;
                    Api.Answer created = Eventually.value("admitted", () -> {
                        Api.Answer answer = via.post(
                                "/v1/generations",
                                TestTenants.ACME_KEY,
                                "restart-" + i,
                                "{\"prompt\": \"hold " + i + "\", \"model\": \"tiny-sd\", \"n\": 2, "
                                        + "\"webhook\": {\"url\": \"" + receiver.url("/down") + "\"}}");
                        return answer.status() == 202 ? answer : null;
                    });
                    ids.add(created.json().get("id").asText());
                }
                // Idempotency keys make the ids, so their partitions, fixed: these six cover both partitions.
                Eventually.until(
                        "each instance owns some of the requests",
                        () -> ids.stream().anyMatch(a::owns)
                                && ids.stream().anyMatch(b::owns)
                                && ids.stream().allMatch(id -> a.owns(id) != b.owns(id)));
                for (String id : ids) {
                    assertEquals("queued", status(viaA, id));
                    assertEquals("queued", status(viaB, id));
                }
                Eventually.until("every job held", () -> worker.held().size() == REQUESTS * 2);

                // The list merges both instances' partitions: the same pages whichever instance answers.
                List<String> listedByA = listAll(viaA, 4);
                assertEquals(Set.copyOf(ids), Set.copyOf(listedByA));
                assertEquals(listedByA, listAll(viaB, 100));

                // An event stream of a request the other instance owns is relayed as it comes.
                String ownedByB = ids.stream().filter(b::owns).findFirst().orElseThrow();
                String first = firstStreamedEvent(a.baseUrl(), ownedByB);
                assertTrue(first.contains("event: generation.progress"), first);
                assertTrue(first.contains("\"id\":\"" + ownedByB + "\""), first);

                // A call that was already forwarded once and lands on a non-owner means the two instances disagree
                // about ownership (a rebalance): answered 503 with Retry-After, never bounced on.
                String ownedByA = ids.stream().filter(a::owns).findFirst().orElseThrow();
                Api.Answer bounced =
                        viaB.get("/v1/generations/" + ownedByA, TestTenants.ACME_KEY, "x-sdfleet-forwarded", "1");
                assertEquals(503, bounced.status(), bounced.json()::toString);
                assertEquals("rebalancing", bounced.json().get("title").asText());
                assertEquals("1", bounced.header("retry-after"));
            } finally {
                a.close(); // mid-request: every job is still out
            }

            Api viaB = new Api(b.baseUrl());
            ids.forEach(worker::release);
            for (String id : ids) {
                Eventually.until(
                        id + " completed on the surviving instance", () -> "completed".equals(status(viaB, id)));
            }
            try (Dispatcher restarted = TestFleet.startReady(
                    configA.toBuilder().stateDir(TestFleet.tempDir()).build())) {
                Api viaRestarted = new Api(restarted.baseUrl());
                for (String id : ids) {
                    // One read gives both the status and the images: the restarted instance's join moves
                    // partitions again, so a second read could meet a 503 "rebalancing" answer.
                    JsonNode completed = Eventually.value(id + " known to the restarted instance", () -> {
                        JsonNode view = view(viaRestarted, id);
                        return "completed".equals(view.get("status").asText()) ? view : null;
                    });
                    assertEquals(2, completed.get("images").size());
                }
            }
            receiver.start(); // down until now: every request's webhook has failed tries behind it
            for (String id : ids) {
                Eventually.until(
                        "webhook of " + id + " delivered after the restart",
                        () -> receiver.calls().stream()
                                .anyMatch(c -> ("msg_" + id + "_completed").equals(c.id()) && c.signatureValid()));
            }
            for (String id : ids) {
                List<Generation> emitted = events.keyed(configA.topics().events(), id).stream()
                        .map(r -> Codec.decode(r.value(), Generation.class))
                        .toList();
                assertEquals(1, emitted.size(), "one event for " + id);
                assertEquals(GenerationStatus.COMPLETED, emitted.get(0).status());
            }
            assertEquals(REQUESTS * 2, worker.seen().size(), "no job published twice");
        }
    }

    private static String status(Api api, String id) {
        return view(api, id).get("status").asText();
    }

    /**
     * The request's view. A 503 is the API's documented "retry" while partitions move between instances (each
     * join or leave here moves them), so it is retried; any other answer but 200 fails the test.
     */
    private static JsonNode view(Api api, String id) {
        Api.Answer answer = Eventually.value("an answer for " + id + " that is not a 503", () -> {
            Api.Answer a = api.get("/v1/generations/" + id, TestTenants.ACME_KEY);
            return a.status() == 503 ? null : a;
        });
        assertEquals(200, answer.status(), () -> "GET " + id + ": " + answer.json());
        return answer.json();
    }

    /** Every id the list gives through {@code via}, following the cursor a page of {@code limit} at a time. */
    private static List<String> listAll(Api via, int limit) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            Api.Answer page = via.get(
                    "/v1/generations?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor),
                    TestTenants.ACME_KEY);
            assertEquals(200, page.status(), page.raw().body());
            page.json().get("data").forEach(d -> ids.add(d.get("id").asText()));
            cursor = page.json().path("next_cursor").asText(null);
        } while (cursor != null);
        return ids;
    }

    /** The first event of the request's stream as {@code baseUrl} serves it; then the connection is dropped. */
    private static String firstStreamedEvent(String baseUrl, String id) throws Exception {
        java.net.http.HttpResponse<java.io.InputStream> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(baseUrl + "/v1/generations/" + id + "/events"))
                                .header("authorization", "Bearer " + TestTenants.ACME_KEY)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        StringBuilder event = new StringBuilder();
        try (java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                event.append(line).append('\n');
            }
        }
        return event.toString();
    }
}
