package dev.sdfleet.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.ImageStatus;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.SchedulerName;
import dev.sdfleet.protocol.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client against a real dispatcher: submit, wait, download, cancel, list, and the dispatcher's refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdfleetClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ClientFleet fleet;
    private SdfleetClient client;

    @BeforeAll
    void start() {
        fleet = new ClientFleet("client");
        client = fleet.client();
    }

    @AfterAll
    void stop() throws Exception {
        try (var f = fleet) {
            client.close();
        }
    }

    @Test
    void submitWaitsAndDownloadsTheStoredImages() {
        Generation accepted = client.submit(NewGeneration.of("a red circle", ClientFleet.MODEL)
                .n(2)
                .seed(7L)
                .negativePrompt("blur")
                .scheduler(SchedulerName.EULER)
                .guidance(5.0)
                .steps(4)
                .width(64)
                .height(64)
                .priority(Priority.HIGH)
                .metadata(Map.of("order", "42")));
        assertFalse(accepted.id().isEmpty());
        assertEquals(7L, accepted.seed());
        assertEquals(2, accepted.n());
        assertEquals(Map.of("order", "42"), accepted.metadata());
        assertEquals(SchedulerName.EULER, accepted.scheduler());
        assertEquals(Priority.HIGH, accepted.priority());

        List<Generation> seen = new ArrayList<>();
        Generation done = client.waitFor(accepted.id(), WAIT, seen::add);
        assertEquals(GenerationStatus.COMPLETED, done.status());
        assertFalse(seen.isEmpty());
        assertEquals(GenerationStatus.COMPLETED, seen.getLast().status(), "the callback saw the finished state");
        for (int i = 1; i < seen.size(); i++) {
            assertFalse(sameButLinks(seen.get(i), seen.get(i - 1)), "called on changes only");
        }

        assertEquals(2, done.images().size());
        for (Generation.Image image : done.images()) {
            assertEquals(ImageStatus.SUCCEEDED, image.status());
            assertEquals(7L + image.index(), image.seed());
            assertEquals("image/png", image.contentType());
            assertNotNull(image.downloadExpiresAt());
            byte[] bytes = client.download(image);
            byte[] stored = fleet.infra
                    .s3Client()
                    .getObjectAsBytes(b -> b.bucket(image.bucket()).key(image.key()))
                    .asByteArray();
            assertArrayEquals(stored, bytes, "the download is the stored object");
        }
        assertEquals(done.id(), client.get(done.id()).id());
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameRequest() {
        NewGeneration request = NewGeneration.of("a blue square", ClientFleet.MODEL);
        String key = "client-test-" + System.nanoTime();
        Generation first = client.submit(request, key);
        Generation again = client.submit(request, key);
        assertEquals(first.id(), again.id());
        assertFalse(first.id().equals(client.submit(request).id()), "a fresh key is a new request");
    }

    @Test
    void cancelEndsARequestAsCancelled() {
        fleet.worker.policy(job -> FakeWorker.Action.HOLD);
        try {
            Generation accepted = client.submit(NewGeneration.of("held", ClientFleet.MODEL));
            client.cancel(accepted.id());
            Generation done = client.waitFor(accepted.id(), WAIT);
            assertEquals(GenerationStatus.CANCELLED, done.status());
            assertEquals("cancelled", done.images().getFirst().error().reason());

            SdfleetApiException twice = assertThrows(SdfleetApiException.class, () -> client.cancel(accepted.id()));
            assertEquals(409, twice.status(), twice.getMessage());
        } finally {
            fleet.worker.policy(job -> FakeWorker.Action.COMPLETE);
        }
    }

    @Test
    void refusalsCarryStatusCodeAndFields() {
        SdfleetApiException unknownModel =
                assertThrows(SdfleetApiException.class, () -> client.submit(NewGeneration.of("x", "no-such-model")));
        assertEquals(400, unknownModel.status());
        assertFalse(unknownModel.code().isEmpty());
        assertTrue(
                unknownModel.fieldErrors().stream().map(FieldError::field).anyMatch("model"::equals),
                unknownModel.describe());

        try (SdfleetClient stranger = fleet.client("not-a-key-0123456789abcdef")) {
            SdfleetApiException unauthorized = assertThrows(SdfleetApiException.class, () -> stranger.get("any"));
            assertEquals(401, unauthorized.status());
        }
        assertEquals(
                404,
                assertThrows(SdfleetApiException.class, () -> client.get("no-such-request"))
                        .status());

        // The protocol's own checks run before anything is sent.
        ValidationException local = assertThrows(
                ValidationException.class,
                () -> client.submit(NewGeneration.of("x", ClientFleet.MODEL).steps(0)));
        assertTrue(local.getMessage().contains("steps"), local.getMessage());
    }

    @Test
    void aRateLimitIsRetriedWithinThePolicyThenThrown() {
        // initech may send one request, then one per 1000 s: the second answers 429 with a long Retry-After.
        try (SdfleetClient limited = SdfleetClient.builder(fleet.dispatcher.baseUrl())
                .bearerToken(TestTenants.INITECH_KEY)
                .retryPolicy(new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .build()) {
            limited.submit(NewGeneration.of("first", ClientFleet.MODEL)
                    .width(64)
                    .height(64)
                    .steps(1));
            SdfleetApiException e = assertThrows(
                    SdfleetApiException.class,
                    () -> limited.submit(NewGeneration.of("second", ClientFleet.MODEL)
                            .width(64)
                            .height(64)
                            .steps(1)));
            assertEquals(429, e.status(), e.getMessage());
            assertEquals("too many requests", e.code());
        }
    }

    @Test
    void listPagesThroughTheTenantsRequestsNewestFirst() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.addFirst(client.submit(NewGeneration.of("listed " + i, ClientFleet.MODEL))
                    .id());
        }
        ids.forEach(id -> client.waitFor(id, WAIT));
        GenerationPage first = client.list("completed", 2, null);
        assertEquals(2, first.data().size());
        assertEquals(
                ids.subList(0, 2), first.data().stream().map(Generation::id).toList());
        GenerationPage second = client.list("completed", 2, first.nextCursor().orElseThrow());
        assertEquals(ids.get(2), second.data().getFirst().id());
        try (SdfleetClient globex = fleet.client(TestTenants.GLOBEX_KEY)) {
            assertTrue(globex.list(null, 100, null).data().stream().noneMatch(g -> ids.contains(g.id())));
        }
    }

    /** Whether two states differ at most in their download links (signed afresh at each GET). */
    private static boolean sameButLinks(Generation a, Generation b) {
        return withoutLinks(a).equals(withoutLinks(b)) && a.status() == b.status();
    }

    private static List<Generation.Image> withoutLinks(Generation g) {
        return g.images().stream()
                .map(i -> new Generation.Image(
                        i.index(),
                        i.seed(),
                        i.status(),
                        i.attempt(),
                        i.step(),
                        i.totalSteps(),
                        i.url(),
                        i.bucket(),
                        i.key(),
                        i.sha256(),
                        i.contentType(),
                        null,
                        null,
                        i.error(),
                        i.finishedAt()))
                .toList();
    }
}
