package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.TopicRecorder;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A tenant's cap on images in flight, end to end on the real broker: its backlog waits in the dispatcher, not on the
 * jobs topics; each image that ends (success, failure, cancel, deadline) lets exactly one more go, in order; another
 * tenant's image goes out at once; a restart rebuilds the counts from the stores, and one that lifts the cap releases
 * the held images. The worker holds every job
 * until the test completes it, so "exactly the cap on the jobs topics" is a state, not a race: the dispatcher's own
 * gauge says how many of the tenant's images are released, and the worker sees each one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantCapTest {
    private static final int CAP = TestTenants.HOOLI_IN_FLIGHT;
    private DispatcherConfig config;
    private Dispatcher dispatcher;
    private FakeWorker worker;
    private TopicRecorder events;
    private Api api;

    @BeforeAll
    void start() {
        // One partition, so one stream task: the cap holds per partition.
        config = TestFleet.config("caps").toBuilder().partitions(1).build();
        dispatcher = TestFleet.startReady(config);
        worker = new FakeWorker(
                SharedInfra.get(),
                config.topics().jobLanesFor("tiny-sd"),
                config.topics().results(),
                job -> job.prompt().startsWith("impossible") ? FakeWorker.Action.FAIL : FakeWorker.Action.HOLD);
        events = new TopicRecorder(
                SharedInfra.get().kafkaBootstrap(), List.of(config.topics().events()));
        api = new Api(dispatcher.baseUrl());
    }

    @AfterAll
    void stop() throws Exception {
        try (var w = worker;
                var e = events;
                var d = dispatcher) {
            // closed in reverse order
        }
    }

    @Test
    void aBacklogWaitsInTheDispatcherAndGoesOutOneForOneInOrderWhileAnotherTenantGoesAtOnce() {
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            ids.add(post(TestTenants.HOOLI_KEY, "{\"prompt\": \"backlog\", \"model\": \"tiny-sd\", \"n\": 2}"));
        }
        List<String> expected = new ArrayList<>();
        ids.forEach(id -> expected.addAll(List.of(id + "/0", id + "/1")));
        awaitHooli(CAP, 8);
        Eventually.until("the first two jobs taken", () -> seen(ids).size() == CAP);
        assertEquals(Set.copyOf(expected.subList(0, CAP)), Set.copyOf(seen(ids)));
        JsonNode last =
                api.get("/v1/generations/" + ids.get(4), TestTenants.HOOLI_KEY).json();
        assertEquals("queued", last.get("status").asText(), "a held request is queued to its caller");
        assertEquals("queued", last.at("/images/1/status").asText());

        String other = post(TestTenants.GLOBEX_KEY, "{\"prompt\": \"urgent\", \"model\": \"tiny-sd\"}");
        Eventually.until(
                "the other tenant's job taken", () -> seen(List.of(other)).size() == 1);
        assertEquals(8, gauge("held", "hooli"), "it did not wait for the held backlog");
        worker.complete(other + "/0");

        // One ends, exactly one more goes, the next in admission order; the cap stays full while a backlog lasts.
        List<String> done = new ArrayList<>();
        for (int k = 0; k < expected.size(); k++) {
            String next = expected.get(k);
            worker.complete(next);
            done.add(next);
            int released = Math.min(expected.size(), k + 1 + CAP);
            Eventually.until(released + " jobs taken", () -> seen(ids).size() == released);
            assertEquals(expected.subList(0, released), sortedAsTaken(ids, expected, released));
            int inFlight = released - done.size();
            Eventually.until(
                    "the dispatcher counts " + inFlight + " released", () -> gauge("released", "hooli") == inFlight);
        }
        for (String id : ids) {
            assertEquals(GenerationStatus.COMPLETED, awaitEvent(id).status());
        }
        assertEquals(expected.size(), seen(ids).size(), "each job published once");
        awaitHooli(0, 0);
    }

    @Test
    void cancelAndDeadlineEndHeldImagesWithoutPublishingThemAndAFailureFreesItsSlot() {
        String running = post(TestTenants.HOOLI_KEY, "{\"prompt\": \"running\", \"model\": \"tiny-sd\", \"n\": 2}");
        String cancelled = post(TestTenants.HOOLI_KEY, "{\"prompt\": \"cancel me\", \"model\": \"tiny-sd\", \"n\": 2}");
        String late = post(
                TestTenants.HOOLI_KEY,
                "{\"prompt\": \"late\", \"model\": \"tiny-sd\", \"deadline\": \"%s\"}"
                        .formatted(Instant.now().plusSeconds(3)));
        String impossible = post(TestTenants.HOOLI_KEY, "{\"prompt\": \"impossible\", \"model\": \"tiny-sd\"}");
        String after = post(TestTenants.HOOLI_KEY, "{\"prompt\": \"after\", \"model\": \"tiny-sd\"}");
        awaitHooli(CAP, 5);

        assertEquals(
                202,
                api.delete("/v1/generations/" + cancelled, TestTenants.HOOLI_KEY)
                        .status());
        assertEquals(GenerationStatus.CANCELLED, awaitEvent(cancelled).status());
        Generation expired = awaitEvent(late);
        assertEquals(GenerationStatus.FAILED, expired.status());
        assertEquals("deadline_exceeded", expired.images().get(0).error().reason());
        awaitHooli(CAP, 2);

        worker.complete(running + "/0");
        // The freed slot goes to the next held image: the impossible one, which fails at once and frees it again.
        assertEquals(GenerationStatus.FAILED, awaitEvent(impossible).status());
        Eventually.until("the last one taken", () -> seen(List.of(after)).size() == 1);
        worker.complete(running + "/1");
        worker.complete(after + "/0");
        assertEquals(GenerationStatus.COMPLETED, awaitEvent(running).status());
        assertEquals(GenerationStatus.COMPLETED, awaitEvent(after).status());
        awaitHooli(0, 0);
        assertEquals(List.of(), seen(List.of(cancelled, late)), "held images that ended were never published");
        for (String id : List.of(running, cancelled, late, impossible, after)) {
            onlyEvent(id);
        }
    }

    @Test
    void aRestartRebuildsTheCountsFromTheStores() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            ids.add(post(TestTenants.HOOLI_KEY, "{\"prompt\": \"restart\", \"model\": \"tiny-sd\", \"n\": 2}"));
        }
        awaitHooli(CAP, 4);
        Eventually.until("the first two jobs taken", () -> seen(ids).size() == CAP);
        // A fresh state folder: the new instance restores every store from its changelog.
        restart(config.toBuilder().stateDir(TestFleet.tempDir()).build());
        awaitHooli(CAP, 4);

        List<String> taken = new ArrayList<>(seen(ids));
        for (int k = 0; k < 6; k++) {
            worker.complete(taken.get(k));
            int released = Math.min(6, k + 1 + CAP);
            Eventually.until(released + " jobs taken", () -> seen(ids).size() == released);
            taken = new ArrayList<>(seen(ids));
            int inFlight = released - (k + 1);
            Eventually.until(
                    "the dispatcher counts " + inFlight + " released", () -> gauge("released", "hooli") == inFlight);
        }
        for (String id : ids) {
            assertEquals(GenerationStatus.COMPLETED, awaitEvent(id).status());
        }
        assertEquals(6, seen(ids).size(), "each job published once, across the restart");
        awaitHooli(0, 0);
    }

    @Test
    void aCapLiftedAcrossARestartReleasesTheHeldImagesAtTheFirstTick() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            ids.add(post(TestTenants.HOOLI_KEY, "{\"prompt\": \"lifted\", \"model\": \"tiny-sd\", \"n\": 2}"));
        }
        awaitHooli(CAP, 2);
        Eventually.until("the first two jobs taken", () -> seen(ids).size() == CAP);
        DispatcherConfig lifted = config.toBuilder()
                .tenants(Tenants.of(Map.of(
                        "hooli", new Tenants.Entry(List.of(TestTenants.HOOLI_KEY), List.of()),
                        "globex", new Tenants.Entry(List.of(TestTenants.GLOBEX_KEY), List.of()))))
                .build();
        restart(lifted);
        try {
            awaitHooli(4, 0);
            Eventually.until("every job taken", () -> seen(ids).size() == 4);
            seen(ids).forEach(worker::complete);
            for (String id : ids) {
                assertEquals(GenerationStatus.COMPLETED, awaitEvent(id).status());
            }
            awaitHooli(0, 0);
        } finally {
            restart(config);
        }
    }

    private void restart(DispatcherConfig next) throws Exception {
        dispatcher.close();
        dispatcher = TestFleet.startReady(next);
        api = new Api(dispatcher.baseUrl());
    }

    private String post(String key, String body) {
        Api.Answer created = api.post("/v1/generations", key, null, body);
        assertEquals(202, created.status(), created.raw().body());
        return created.json().get("id").asText();
    }

    /** The job ids of these requests the worker took, in the order it took them. */
    private List<String> seen(List<String> requestIds) {
        return worker.seen().stream()
                .filter(j -> requestIds.contains(j.requestId()))
                .map(Job::jobId)
                .toList();
    }

    /**
     * The first {@code count} jobs taken, in admission order: jobs released together may be taken in any order (the
     * jobs topic has several partitions), so the released set is compared, as a prefix of the expected order.
     */
    private List<String> sortedAsTaken(List<String> requestIds, List<String> expected, int count) {
        return seen(requestIds).stream()
                .sorted((a, b) -> Integer.compare(expected.indexOf(a), expected.indexOf(b)))
                .limit(count)
                .toList();
    }

    private void awaitHooli(int released, int held) {
        Eventually.until(
                "hooli: " + released + " released, " + held + " held",
                () -> gauge("released", "hooli") == released && gauge("held", "hooli") == held);
    }

    /** A per-tenant gauge of the dispatcher, as Prometheus scrapes it. */
    private long gauge(String which, String tenant) {
        String text = api.get("/metrics", null).raw().body();
        Matcher m = Pattern.compile(
                        "(?m)^sdfleet_dispatcher_tenant_images_" + which + "\\{tenant=\"" + tenant + "\",?\\} (\\S+)$")
                .matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + which + " gauge for " + tenant);
        }
        return (long) Double.parseDouble(m.group(1));
    }

    private Generation awaitEvent(String id) {
        Eventually.until(
                "the event of " + id,
                () -> !events.keyed(config.topics().events(), id).isEmpty());
        return onlyEvent(id);
    }

    private Generation onlyEvent(String id) {
        List<Generation> all = events.keyed(config.topics().events(), id).stream()
                .map(r -> Codec.decode(r.value(), Generation.class))
                .toList();
        assertEquals(1, all.size(), "one event for " + id);
        return all.get(0);
    }
}
