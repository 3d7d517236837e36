package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.DeliveryAttempt;
import dev.sdfleet.dispatcher.state.DeliveryPhase;
import dev.sdfleet.dispatcher.state.ImagePhase;
import dev.sdfleet.dispatcher.state.ImageState;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.support.MutableClock;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.Jobs;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.StoredImage;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.Webhook;
import dev.sdfleet.protocol.WebhookEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request state machine on Kafka Streams' test driver, with the clock in the test's hands: what the integration
 * tests cannot wait for (a day of webhook retries, retention) and the exact records each step publishes.
 */
class DispatcherProcessorTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String URL = "https://hooks.example.com/sdfleet";
    /** A tenant with at most {@link #CAP} images in flight. */
    private static final String CAPPED = "capped";

    private static final int CAP = 2;

    private final MutableClock clock = new MutableClock(START);
    private final List<Delivery> handedOut = new CopyOnWriteArrayList<>();
    private DispatcherConfig config;
    private DispatcherMetrics metrics;
    private QueueTally tally;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestInputTopic<String, byte[]> results;
    private TestInputTopic<String, byte[]> cancelsIn;
    private TestInputTopic<String, byte[]> control;
    private TestOutputTopic<String, byte[]> jobs;
    private TestOutputTopic<String, byte[]> highJobs;
    private TestOutputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> cancelsOut;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void start() throws Exception {
        config = DispatcherConfig.builder("unused:9092")
                .topicPrefix("t.")
                .tick(Duration.ofSeconds(1))
                .retention(Duration.ofHours(1))
                .maxRequestAge(Duration.ofHours(1))
                .maxAttempts(3)
                .tenants(Tenants.of(
                        Map.of(CAPPED, new Tenants.Entry(List.of(), List.of(), new TenantLimits(0, 0, 0, CAP)))))
                .webhooks(WebhookSettings.defaults()
                        .withBackoff(Duration.ofSeconds(5), Duration.ofHours(2))
                        .withTimeout(Duration.ofSeconds(10)))
                .build();
        tally = new QueueTally(config.pixelStepsPerGpuSecond());
        metrics = new DispatcherMetrics(tally);
        ProcessorHooks hooks = new ProcessorHooks(
                config,
                clock,
                metrics,
                tally,
                new Admissions(),
                (requestId, tenant, delivery) -> handedOut.add(delivery),
                ImageLinks.none());
        Topics topics = config.topics();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "processor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put("processing.exception.handler.global.enabled", true);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("processor-test").toString());
        DeadLetterHandler.install(props, topics.dlq(), DeadLetterHandler.sink(hooks));
        driver = new TopologyTestDriver(DispatcherTopology.build(topics, config.controlTopic(), hooks), props, START);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer values = new ByteArraySerializer();
        requests = driver.createInputTopic(topics.requests(), keys, values);
        results = driver.createInputTopic(topics.results(), keys, values);
        cancelsIn = driver.createInputTopic(topics.cancels(), keys, values);
        control = driver.createInputTopic(config.controlTopic(), keys, values);
        StringDeserializer keyReader = new StringDeserializer();
        ByteArrayDeserializer valueReader = new ByteArrayDeserializer();
        jobs = driver.createOutputTopic(topics.jobsFor("tiny-sd"), keyReader, valueReader);
        highJobs = driver.createOutputTopic(topics.jobsFor("tiny-sd", Priority.HIGH), keyReader, valueReader);
        events = driver.createOutputTopic(topics.events(), keyReader, valueReader);
        cancelsOut = driver.createOutputTopic(topics.cancels(), keyReader, valueReader);
        dlq = driver.createOutputTopic(topics.dlq(), keyReader, valueReader);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void splitsWithConsecutiveSeedsAndIgnoresARepeatButDeadLettersAConflict() {
        GenerationRequest request =
                request("r1").n(3).seed(10L).priority(Priority.HIGH).build();
        submit(request);
        assertTrue(jobs.isEmpty(), "high jobs go to the model's high lane, not the normal one");
        List<Job> published = highJobs.readValuesToList().stream()
                .map(v -> Codec.decode(v, Job.class))
                .toList();
        assertEquals(List.of(10L, 11L, 12L), published.stream().map(Job::seed).toList());
        assertEquals(
                List.of("r1/0", "r1/1", "r1/2"),
                published.stream().map(Job::jobId).toList());
        assertTrue(published.stream().allMatch(j -> j.priority() == Priority.HIGH && j.attempt() == 1));
        assertEquals(3, tally.queued(Priority.HIGH));
        assertTrue(tally.queuedGpuSeconds() > 0);

        submit(request);
        assertTrue(highJobs.isEmpty(), "a repeat of the request id is not split again");
        submit(request("r1").prompt2("something else").build());
        assertTrue(highJobs.isEmpty() && jobs.isEmpty());
        DeadLetter letter = Codec.decode(dlq.readValue(), DeadLetter.class);
        assertEquals("request_id", letter.fieldErrors().get(0).field());
    }

    @Test
    void aDrawnSeedIsRecordedAndUsedForEveryImage() {
        submit(request("r2").n(2).build());
        List<Job> published = jobs();
        long base = state("r2").baseSeed();
        assertEquals(base, published.get(0).seed());
        assertEquals((base + 1) & GenerationRequest.MAX_SEED, published.get(1).seed());
    }

    @Test
    void aDeadlineThatPassesFailsTheQueuedImagesAndTellsWorkersToSkipThem() {
        submit(request("r3").n(2).deadline(START.plusSeconds(10)).build());
        List<Job> published = jobs();
        results.pipeInput("r3", Codec.encode(succeeded(published.get(0))));
        advance(Duration.ofSeconds(11));
        Generation event = event();
        assertEquals(GenerationStatus.PARTIALLY_FAILED, event.status());
        assertEquals("deadline_exceeded", event.images().get(1).error().reason());
        assertEquals(
                "r3", Codec.decode(cancelsOut.readValue(), CancelRequest.class).requestId());
        results.pipeInput("r3", Codec.encode(succeeded(published.get(1))));
        assertTrue(events.isEmpty(), "a late result changes nothing: one event per request");
        assertEquals(0, tally.queued(Priority.NORMAL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2286-11-20T17:46:40Z", "2400-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"})
    void aFarDeadlineDoesNotFireEarly(String deadline) {
        submit(request("far").deadline(Instant.parse(deadline)).build());
        Job job = jobs().get(0);
        advance(Duration.ofSeconds(5));
        assertTrue(events.isEmpty(), "a deadline of " + deadline + " is not due yet");
        results.pipeInput("far", Codec.encode(succeeded(job)));
        assertEquals(GenerationStatus.COMPLETED, event().status());
    }

    @Test
    void aTimerStoredWithThirteenDigitsStillFires() {
        submit(request("legacy").deadline(START.plusSeconds(10)).build());
        jobs();
        KeyValueStore<String, String> timers = driver.getKeyValueStore(DispatcherTopology.TIMERS_STORE);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = timers.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.contains(" D ")) {
                    keys.add(kv.key);
                }
            });
        }
        assertEquals(1, keys.size(), keys.toString());
        // As a store written before the keys were widened holds it.
        timers.delete(keys.get(0));
        timers.put(String.format("%013d D legacy", START.plusSeconds(10).toEpochMilli()), "");

        advance(Duration.ofSeconds(11));

        assertEquals("deadline_exceeded", event().images().get(0).error().reason());
    }

    @Test
    void aRequestPastItsDeadlinePublishesNoJob() {
        clock.set(START.plusSeconds(60));
        submit(request("r4").deadline(START).build());
        assertTrue(jobs.isEmpty());
        assertEquals(GenerationStatus.FAILED, event().status());
    }

    @Test
    void aRequestWithNoResultForTheMaximumAgeFailsAsStalled() {
        submit(request("stuck").n(2).webhook(Webhook.to(URL)).build());
        List<Job> published = jobs();
        assertEquals(START, tally.oldestUnfinished());
        advance(Duration.ofMinutes(40));
        results.pipeInput("stuck", Codec.encode(succeeded(published.get(0))));
        advance(Duration.ofMinutes(30));
        assertTrue(events.isEmpty(), "a result 30 minutes ago is progress: the hour counts from there");
        assertNull(state("stuck").status());

        advance(Duration.ofMinutes(31));
        Generation event = event();
        assertEquals(GenerationStatus.PARTIALLY_FAILED, event.status());
        assertEquals(
                dev.sdfleet.protocol.ImageStatus.SUCCEEDED,
                event.images().get(0).status());
        assertEquals("stalled", event.images().get(1).error().reason());
        assertEquals(
                "stuck",
                Codec.decode(cancelsOut.readValue(), CancelRequest.class).requestId());
        assertEquals("msg_stuck_failed", handedOut.get(handedOut.size() - 1).id(), "the failure webhook");
        assertEquals(0, tally.queued(Priority.NORMAL));
        assertNull(tally.oldestUnfinished());

        results.pipeInput("stuck", Codec.encode(succeeded(published.get(1))));
        assertTrue(events.isEmpty(), "a result after the end changes nothing");
    }

    @Test
    void aRequestInAStoreWithoutStallTimersGetsOneAtTheFirstTick() {
        submit(request("old").build());
        jobs();
        KeyValueStore<String, String> timers = driver.getKeyValueStore(DispatcherTopology.TIMERS_STORE);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = timers.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(timers::delete); // as a store written before stall timers existed
        advance(Duration.ofMinutes(61));
        assertEquals("stalled", event().images().get(0).error().reason());
    }

    @Test
    void retryableFailuresArePublishedAgainUpToTheAttemptLimit() {
        submit(request("r5").build());
        Job job = jobs().get(0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertEquals(attempt, job.attempt());
            results.pipeInput("r5", Codec.encode(failed(job, true)));
            if (attempt < 3) {
                results.pipeInput("r5", Codec.encode(failed(job, true))); // a redelivered result: ignored
                job = jobs().get(0);
                assertTrue(jobs.isEmpty());
            }
        }
        assertTrue(jobs.isEmpty());
        Generation event = event();
        assertEquals(GenerationStatus.FAILED, event.status());
        assertTrue(event.images().get(0).error().retryable());
    }

    @Test
    void aQuarantinedJobEndsTheRequestFailedAsWorkerCrashedAndTheWebhookSaysSo() {
        submit(request("r-crash").webhook(Webhook.to(URL)).build());
        Job job = jobs().get(0);
        results.pipeInput(
                "r-crash",
                Codec.encode(JobResult.failed(
                        job,
                        "w-1",
                        1,
                        Map.of(),
                        new Failure(FailureReason.WORKER_CRASHED, "3 runs of this job killed their worker", false),
                        clock.instant())));
        assertTrue(jobs.isEmpty(), "a quarantined job is never published again");
        Generation event = event();
        assertEquals(GenerationStatus.FAILED, event.status());
        assertEquals("worker_crashed", event.images().get(0).error().reason());
        assertEquals(1, handedOut.size());
        assertTrue(
                handedOut.get(0).body().contains("\"reason\":\"worker_crashed\""),
                handedOut.get(0).body());
    }

    @Test
    void progressShowsAtOnceAndIsAnnouncedAtMostOnceASecond() {
        submit(request("p1")
                .n(2)
                .webhook(new Webhook(URL, List.of(WebhookEvent.GENERATION_PROGRESS, WebhookEvent.GENERATION_COMPLETED)))
                .build());
        List<Job> published = jobs();
        progress(published.get(0), null, 5);
        assertEquals(5, state("p1").images().get(0).step());
        Generation announced = event();
        assertEquals(GenerationStatus.IN_PROGRESS, announced.status(), "an image runs: no longer queued");
        assertEquals(
                dev.sdfleet.protocol.ImageStatus.RUNNING,
                announced.images().get(0).status());
        assertEquals(5, announced.images().get(0).step());
        assertEquals(30, announced.images().get(0).totalSteps());
        assertEquals(
                dev.sdfleet.protocol.ImageStatus.QUEUED,
                announced.images().get(1).status());
        assertEquals(1, handedOut.size());
        assertTrue(
                handedOut.get(0).body().contains("\"type\":\"generation.progress\""),
                handedOut.get(0).body());

        // Within the second: neither stored nor announced (the next report after it carries the news).
        progress(published.get(0), 1, 6);
        progress(published.get(1), 1, 2);
        assertEquals(5, state("p1").images().get(0).step());
        assertNull(state("p1").images().get(1).step());
        assertTrue(events.isEmpty());
        assertEquals(1, handedOut.size());

        advance(Duration.ofSeconds(1));
        progress(published.get(1), 1, 3);
        progress(published.get(0), 1, 7);
        Generation next = event();
        assertEquals(5, next.images().get(0).step());
        assertEquals(3, next.images().get(1).step());
        assertEquals(2, handedOut.size());
        assertEquals(
                1,
                state("p1").deliveries().stream()
                        .filter(d -> d.event().equals("generation.progress"))
                        .count(),
                "a newer progress message replaces the one not delivered yet");

        advance(Duration.ofSeconds(1));
        progress(published.get(0), 1, 7);
        assertEquals(7, event().images().get(0).step());

        // Another attempt's report, or one that would move the count back, changes nothing.
        progress(published.get(0), 2, 20);
        progress(published.get(0), 1, 3);
        assertEquals(7, state("p1").images().get(0).step());

        results.pipeInput("p1", Codec.encode(succeeded(published.get(0))));
        results.pipeInput("p1", Codec.encode(succeeded(published.get(1))));
        Generation completed = event();
        assertEquals(GenerationStatus.COMPLETED, completed.status());
        assertEquals(30, completed.images().get(0).step(), "a made image has done every step, whatever was reported");
        assertEquals(30, completed.images().get(1).step());
        assertEquals(
                List.of("generation.completed"),
                state("p1").deliveries().stream().map(d -> d.event()).toList(),
                "progress not yet delivered is dropped when the request ends");
        progress(published.get(1), 1, 29);
        assertTrue(events.isEmpty(), "a finished request ignores late progress");
    }

    @Test
    void progressForAnImageTheRequestDoesNotHaveIsDeadLettered() {
        submit(request("p2").build());
        Job job = jobs().get(0);
        Job other = Jobs.split(request("p2").n(3).build(), 1, START).get(2);
        progress(other, null, 1);
        DeadLetter letter = Codec.decode(dlq.readValue(), DeadLetter.class);
        assertEquals("job_id", letter.fieldErrors().get(0).field());
        progress(job, null, 1);
        assertEquals(1, state("p2").images().get(0).step());
    }

    private void progress(Job job, Integer attempt, int step) {
        JobProgress progress =
                new JobProgress(1, job.jobId(), job.requestId(), attempt, step, job.steps(), clock.instant());
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        dev.sdfleet.protocol.CloudEventHeaders.forMessage(progress, "/test", clock.instant())
                .toMap()
                .forEach(headers::add);
        results.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(
                job.requestId(), Codec.encode(progress), headers, clock.instant()));
    }

    @Test
    void cancellingOneJobLeavesTheOthersAndEndsTheRequestCancelled() {
        submit(request("r6").n(3).build());
        List<Job> published = jobs();
        cancelsIn.pipeInput("r6", Codec.encode(CancelRequest.ofJob("r6/1", "not needed", START)));
        RequestState state = state("r6");
        assertEquals(
                List.of(ImagePhase.QUEUED, ImagePhase.FAILED, ImagePhase.QUEUED),
                state.images().stream().map(i -> i.phase()).toList());
        assertTrue(events.isEmpty());
        results.pipeInput("r6", Codec.encode(succeeded(published.get(0))));
        results.pipeInput("r6", Codec.encode(succeeded(published.get(2))));
        assertEquals(GenerationStatus.CANCELLED, event().status());
    }

    @Test
    void webhookTriesBackOffAndStopAfterTheRetryWindow() {
        submit(request("r7").webhook(Webhook.to(URL)).build());
        results.pipeInput("r7", Codec.encode(succeeded(jobs().get(0))));
        assertEquals(GenerationStatus.COMPLETED, event().status());
        assertEquals(1, handedOut.size(), "the first try goes out with the finish");
        Delivery first = handedOut.get(0);
        assertEquals("msg_r7_completed", first.id());

        report("r7", first, 503);
        Delivery pending = state("r7").delivery(first.id()).orElseThrow();
        assertEquals(DeliveryPhase.PENDING, pending.phase());
        assertEquals(1, pending.attempts().size());
        advance(Duration.ofSeconds(4)); // backoff 5..6 s
        assertEquals(1, handedOut.size());
        advance(Duration.ofSeconds(3));
        assertEquals(2, handedOut.size());
        assertEquals(2, handedOut.get(1).nextAttemptNumber());

        // Keep failing: the waits double up to the 2 h cap and the tries stop 25 h after the message was made.
        for (int tries = 2; phase("r7", first.id()) == DeliveryPhase.PENDING && tries < 100; tries++) {
            int before = handedOut.size();
            report("r7", handedOut.get(before - 1), 500);
            while (handedOut.size() == before && phase("r7", first.id()) == DeliveryPhase.PENDING) {
                advance(Duration.ofMinutes(15));
            }
        }
        Delivery done = state("r7").delivery(first.id()).orElseThrow();
        assertEquals(DeliveryPhase.FAILED, done.phase());
        Instant last = done.attempts().get(done.attempts().size() - 1).at();
        assertTrue(done.attemptCount() > 15, "5 s doubling to 2 h over 25 h: " + done.attemptCount());
        assertTrue(
                Duration.between(START, last).compareTo(config.webhooks().retryFor()) >= 0,
                "the last try is not before the 25 h window ends: " + Duration.between(START, last));
        assertTrue(
                handedOut.stream().allMatch(d -> d.body().equals(first.body()) && d.id().equals(first.id())),
                "every retry carries the first try's body (its timestamp included) and webhook-id");
        int handedBefore = handedOut.size();
        advance(Duration.ofMinutes(30));
        assertEquals(handedBefore, handedOut.size(), "no try after giving up");

        control.pipeInput("r7", StateJson.write(ControlMessage.redeliver("r7", first.id(), clock.instant())));
        advance(Duration.ofSeconds(1));
        assertEquals(handedBefore + 1, handedOut.size(), "a redelivery starts again");
        assertEquals(first.id(), handedOut.get(handedOut.size() - 1).id());
        assertEquals(first.body(), handedOut.get(handedOut.size() - 1).body(), "a redelivery too");
        report("r7", handedOut.get(handedOut.size() - 1), 200);
        assertEquals(
                DeliveryPhase.DELIVERED,
                state("r7").delivery(first.id()).orElseThrow().phase());
        advance(Duration.ofMinutes(61));
        assertNull(state("r7"), "removed a retention after its last webhook try");
    }

    @Test
    void aTryWithoutAnOutcomeIsHandedOutAgainWhenItsLeaseEnds() {
        submit(request("r8").webhook(Webhook.to(URL)).build());
        results.pipeInput("r8", Codec.encode(succeeded(jobs().get(0))));
        assertEquals(1, handedOut.size());
        advance(Duration.ofSeconds(10)); // the try timeout: the report may still come
        assertEquals(1, handedOut.size());
        advance(Duration.ofSeconds(6));
        assertEquals(2, handedOut.size());
        assertEquals(1, handedOut.get(1).nextAttemptNumber(), "the same try, since none was recorded");
        report("r8", handedOut.get(1), 204);
        assertEquals(
                DeliveryPhase.DELIVERED,
                state("r8").delivery("msg_r8_completed").orElseThrow().phase());
        report("r8", handedOut.get(0), 204); // the lost report turning up late: stale, ignored
        assertEquals(1, state("r8").delivery("msg_r8_completed").orElseThrow().attemptCount());
    }

    @Test
    void finishedRequestsAreRemovedAfterTheRetention() {
        submit(request("r9").build());
        results.pipeInput("r9", Codec.encode(succeeded(jobs().get(0))));
        assertNotNull(state("r9"));
        advance(Duration.ofMinutes(59));
        assertNotNull(state("r9"));
        advance(Duration.ofMinutes(2));
        assertNull(state("r9"), "gone after an hour, the configured retention");
    }

    /** One poison record of the matrix below: which input, and what Streams is handed. */
    record Poison(String name, String input, String key, byte[] value, Headers headers, DeadLetterReason reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Poison> poison() {
        byte[] valid = Codec.encode(request("p").build());
        byte[] notJson = {(byte) 0xff, (byte) 0xfe, 0, '{', 0x1b};
        Headers odd = new RecordHeaders();
        odd.add("", "empty name".getBytes(StandardCharsets.UTF_8));
        odd.add("x-null", null);
        odd.add(Outputs.INGRESS_HEADER, null);
        for (int i = 0; i < 65; i++) {
            odd.add("h" + i, new byte[] {(byte) i});
        }
        String wrongVersion = new String(valid, StandardCharsets.UTF_8)
                .replaceFirst("\"schema_version\":\\d+", "\"schema_version\":99");
        return List.of(
                new Poison("requests: not JSON", "requests", "p", notJson, null, DeadLetterReason.MALFORMED),
                new Poison(
                        "requests: wrong types",
                        "requests",
                        "p",
                        bytes("{\"prompt\": 5, \"model\": [], \"request_id\": \"p\", \"tenant\": \"acme\"}"),
                        null,
                        DeadLetterReason.INVALID_MESSAGE),
                new Poison(
                        "requests: unknown schema version",
                        "requests",
                        "p",
                        bytes(wrongVersion),
                        null,
                        DeadLetterReason.INVALID_MESSAGE),
                new Poison("requests: null value", "requests", "p", null, null, DeadLetterReason.MALFORMED),
                new Poison("requests: null key", "requests", null, valid, null, DeadLetterReason.INVALID_MESSAGE),
                new Poison(
                        "requests: 65 headers, an empty name, null values",
                        "requests",
                        "p",
                        notJson,
                        odd,
                        DeadLetterReason.MALFORMED),
                new Poison("results: not JSON", "results", "p", notJson, odd, DeadLetterReason.MALFORMED),
                new Poison("results: null value", "results", "p", null, null, DeadLetterReason.MALFORMED),
                new Poison(
                        "results: a request as a result",
                        "results",
                        "p",
                        valid,
                        null,
                        DeadLetterReason.INVALID_MESSAGE),
                new Poison("cancels: not JSON", "cancels", "p", notJson, null, DeadLetterReason.MALFORMED),
                new Poison("cancels: null key and value", "cancels", null, null, odd, DeadLetterReason.MALFORMED),
                new Poison("control: not JSON", "control", "p", notJson, odd, DeadLetterReason.MALFORMED),
                new Poison("control: an array", "control", "p", bytes("[1, 2]"), null, DeadLetterReason.MALFORMED),
                new Poison("control: null value", "control", null, null, null, DeadLetterReason.MALFORMED),
                new Poison("control: JSON null", "control", "p", bytes("null"), null, DeadLetterReason.MALFORMED),
                new Poison(
                        "control: an empty object",
                        "control",
                        "p",
                        bytes("{}"),
                        null,
                        DeadLetterReason.INVALID_MESSAGE),
                new Poison(
                        "control: another request's message",
                        "control",
                        "p",
                        bytes("{\"type\":\"redeliver\",\"requestId\":\"q\",\"deliveryId\":\"d\"}"),
                        null,
                        DeadLetterReason.INVALID_MESSAGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void aPoisonRecordIsParkedCountedAndTheNextRecordIsProcessed(Poison poison) {
        TestInputTopic<String, byte[]> input = switch (poison.input()) {
            case "requests" -> requests;
            case "results" -> results;
            case "cancels" -> cancelsIn;
            default -> control;
        };
        submit(request("before").build());
        jobs();
        input.pipeInput(new TestRecord<>(poison.key(), poison.value(), poison.headers(), clock.instant()));

        DeadLetter letter = Codec.decode(dlq.readValue(), DeadLetter.class);
        assertTrue(dlq.isEmpty(), "one dead letter");
        assertEquals(poison.reason(), letter.reason(), letter.toString());
        String topic = poison.input().equals("control") ? config.controlTopic() : config.topicPrefix() + poison.input();
        assertEquals(topic, letter.topic());
        assertEquals(0, letter.partition());
        assertEquals(poison.input().equals("requests") ? 1 : 0, letter.offset(), "the record's own position");
        assertEquals(poison.value() == null ? null : poison.value().length, letter.valueSize());
        if (poison.headers() != null) {
            assertEquals(64, letter.headers().size());
            assertEquals(4, letter.headersDropped(), "one past 64, the empty name, two null values");
        }
        assertTrue(
                metrics.scrape()
                        .contains("sdfleet_dispatcher_dead_letters_total{input=\"" + poison.input() + "\",reason=\""
                                + poison.reason().name().toLowerCase(java.util.Locale.ROOT) + "\"} 1.0"),
                metrics.scrape());

        submit(request("after").n(2).build());
        assertEquals(2, jobs().size(), "the next valid request is processed");
        assertTrue(dlq.isEmpty());
    }

    @Test
    void oddHeadersOnAValidRequestChangeNothing() {
        GenerationRequest request = request("odd").build();
        Headers odd = new RecordHeaders();
        odd.add(Outputs.INGRESS_HEADER, null);
        odd.add("", new byte[0]);
        for (int i = 0; i < 100; i++) {
            odd.add("h" + i, null);
        }
        requests.pipeInput(new TestRecord<>("odd", Codec.encode(request), odd, clock.instant()));
        assertEquals(1, jobs().size());
        assertTrue(dlq.isEmpty());
        assertEquals("kafka", state("odd").source(), "a null ingress header is no HTTP admission");
    }

    @Test
    void anUnexpectedFailureParksTheRecordAsProcessingFailedAndTheStreamGoesOn() {
        submit(request("broken").build());
        Job job = jobs().get(0);
        KeyValueStore<String, RequestState> store = driver.getKeyValueStore(DispatcherTopology.REQUESTS_STORE);
        // A state value this code does not expect (as a bug, or a newer dispatcher, could leave): no image phase.
        store.put(
                "broken",
                state("broken")
                        .withImages(
                                i -> new ImageState(i.index(), i.seed(), 1, null, null, null, null, null, null, null)));
        results.pipeInput("broken", Codec.encode(succeeded(job)));

        DeadLetter letter = Codec.decode(dlq.readValue(), DeadLetter.class);
        assertEquals(DeadLetterReason.PROCESSING_FAILED, letter.reason());
        assertEquals(config.topics().results(), letter.topic());
        assertTrue(letter.error().startsWith("NullPointerException"), letter.error());
        submit(request("fine").build());
        results.pipeInput("fine", Codec.encode(succeeded(jobs().get(0))));
        assertEquals(GenerationStatus.COMPLETED, event().status());
    }

    @Test
    void aCappedTenantHasItsCapReleasedAndTheRestGoesBestFirstThenInAdmissionOrder() {
        submit(request("c1").tenant(CAPPED).n(3).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("c2").tenant(CAPPED).n(2).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("c3").tenant(CAPPED).priority(Priority.HIGH).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));
        assertTrue(highJobs.isEmpty());
        assertEquals(2, tally.released(CAPPED));
        assertEquals(4, tally.held(CAPPED));
        assertEquals(2, tally.queued(Priority.NORMAL), "held jobs are not queued work");
        assertEquals(4, heldKeys().size());

        submit(request("other").build());
        assertEquals(List.of("other/0"), ids(jobs()), "another tenant's job goes out at once");

        results.pipeInput("c1", Codec.encode(succeeded(job("c1", 0))));
        assertEquals(List.of("c3/0"), ids(highJobs()), "one ended, one released: the high one first");
        assertTrue(jobs.isEmpty());

        results.pipeInput("c1", Codec.encode(failed(job("c1", 1), true)));
        List<Job> retried = jobs();
        assertEquals(List.of("c1/1"), ids(retried), "a retry keeps its slot: nothing else is released");
        assertEquals(2, retried.get(0).attempt());
        assertEquals(2, tally.released(CAPPED));

        results.pipeInput("c3", Codec.encode(failed(job("c3", 0), false)));
        assertEquals(List.of("c1/2"), ids(jobs()), "a failure frees the slot too; then admission order");
        results.pipeInput("c1", Codec.encode(succeeded(retried.get(0))));
        assertEquals(List.of("c2/0"), ids(jobs()));
        results.pipeInput("c1", Codec.encode(succeeded(job("c1", 2))));
        assertEquals(List.of("c2/1"), ids(jobs()));
        results.pipeInput("c2", Codec.encode(succeeded(job("c2", 0))));
        results.pipeInput("c2", Codec.encode(succeeded(job("c2", 1))));
        assertTrue(jobs.isEmpty() && highJobs.isEmpty());

        List<Generation> ended = events();
        assertEquals(
                List.of("c3", "c1", "c2"), ended.stream().map(Generation::id).toList());
        assertEquals(0, tally.released(CAPPED));
        assertEquals(0, tally.held(CAPPED));
        assertTrue(heldKeys().isEmpty());
    }

    @Test
    void cancellingHeldImagesEndsThemWithoutPublishingAndCancellingReleasedOnesFreesTheirSlots() {
        submit(request("c1").tenant(CAPPED).n(2).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("c2").tenant(CAPPED).n(3).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("c3").tenant(CAPPED).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));

        cancelsIn.pipeInput("c2", Codec.encode(CancelRequest.ofRequest("c2", "changed my mind", clock.instant())));
        Generation cancelled = event();
        assertEquals(GenerationStatus.CANCELLED, cancelled.status());
        assertTrue(jobs.isEmpty(), "held images end without a job");
        assertEquals(1, tally.held(CAPPED));
        assertEquals(1, heldKeys().size());

        cancelsIn.pipeInput("c1", Codec.encode(CancelRequest.ofRequest("c1", null, clock.instant())));
        assertEquals(GenerationStatus.CANCELLED, event().status());
        assertEquals(List.of("c3/0"), ids(jobs()), "the cancelled released images freed their slots");
        results.pipeInput("c3", Codec.encode(succeeded(job("c3", 0))));
        assertEquals(GenerationStatus.COMPLETED, event().status());
        assertEquals(0, tally.released(CAPPED) + tally.held(CAPPED));
    }

    @Test
    void aDeadlineEndsHeldImagesUnpublishedAndAStalledImageFreesItsSlot() {
        submit(request("c1").tenant(CAPPED).n(2).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("late").tenant(CAPPED).deadline(START.plusSeconds(10)).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("waits").tenant(CAPPED).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));

        advance(Duration.ofSeconds(11));
        Generation late = event();
        assertEquals("late", late.id());
        assertEquals("deadline_exceeded", late.images().get(0).error().reason());
        assertTrue(jobs.isEmpty(), "a held image past its deadline is never published");
        assertEquals(1, tally.held(CAPPED));

        // c1 gets no result for the maximum age; "waits" waited as long, but only for its tenant's slots.
        advance(Duration.ofMinutes(61));
        Generation stalled = event();
        assertEquals("c1", stalled.id());
        assertEquals("stalled", stalled.images().get(0).error().reason());
        assertEquals(List.of("waits/0"), ids(jobs()));
        assertNull(state("waits").status());
        results.pipeInput("waits", Codec.encode(succeeded(job("waits", 0))));
        assertEquals(GenerationStatus.COMPLETED, event().status());
        assertEquals(0, tally.released(CAPPED) + tally.held(CAPPED));
    }

    @Test
    void heldImagesOfARequestThatStallsEndWithIt() {
        submit(request("c1").tenant(CAPPED).n(4).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));
        advance(Duration.ofMinutes(61));
        Generation stalled = event();
        assertTrue(stalled.images().stream().allMatch(i -> i.error().reason().equals("stalled")));
        assertTrue(jobs.isEmpty(), "its held images end with it, unpublished");
        assertTrue(heldKeys().isEmpty());
        assertEquals(0, tally.released(CAPPED) + tally.held(CAPPED));
    }

    @Test
    void aResultForAHeldImageIsIgnoredAndAPoisonResultOfACappedTenantIsStillParked() {
        submit(request("c1").tenant(CAPPED).n(3).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));
        // A result for the held image 2 (no worker has its job): ignored, it stays held and takes no slot.
        results.pipeInput("c1", Codec.encode(succeeded(job("c1", 2))));
        assertEquals(ImagePhase.HELD, state("c1").images().get(2).phase());
        assertTrue(jobs.isEmpty() && events.isEmpty());
        assertEquals(1, tally.held(CAPPED));

        results.pipeInput("c1", bytes("{\"not\": \"a result\"}"));
        assertEquals(
                config.topics().results(),
                Codec.decode(dlq.readValue(), DeadLetter.class).topic());
        results.pipeInput("c1", Codec.encode(succeeded(job("c1", 0))));
        assertEquals(List.of("c1/2"), ids(jobs()), "the stream goes on, and the cap with it");
    }

    @Test
    void aStaleHeldKeyIsSkippedAndDropped() {
        submit(request("c1").tenant(CAPPED).n(2).build());
        clock.set(clock.instant().plusMillis(1));
        submit(request("c2").tenant(CAPPED).build());
        assertEquals(List.of("c1/0", "c1/1"), ids(jobs()));
        KeyValueStore<String, String> held = driver.getKeyValueStore(DispatcherTopology.HELD_STORE);
        // As an index written by an older version might hold: an image that is not held (any more), ordered first.
        held.put("capped|0|000000000000000|c1|00", "");
        results.pipeInput("c1", Codec.encode(succeeded(job("c1", 0))));
        assertEquals(List.of("c2/0"), ids(jobs()));
        assertTrue(heldKeys().isEmpty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private DeliveryPhase phase(String requestId, String deliveryId) {
        return state(requestId).delivery(deliveryId).orElseThrow().phase();
    }

    private void submit(GenerationRequest request) {
        requests.pipeInput(request.requestId(), Codec.encode(request), clock.instant());
    }

    private void report(String requestId, Delivery delivery, int status) {
        DeliveryAttempt attempt = new DeliveryAttempt(delivery.nextAttemptNumber(), clock.instant(), 5, status, null);
        control.pipeInput(requestId, StateJson.write(ControlMessage.attempt(requestId, delivery.id(), attempt, false)));
    }

    private void advance(Duration duration) {
        clock.set(clock.instant().plus(duration));
        driver.advanceWallClockTime(duration);
    }

    private List<Job> highJobs() {
        return highJobs.readValuesToList().stream()
                .map(v -> Codec.decode(v, Job.class))
                .toList();
    }

    private static List<String> ids(List<Job> published) {
        return published.stream().map(Job::jobId).toList();
    }

    /** The first attempt's job of one image, as the dispatcher published it. */
    private Job job(String requestId, int index) {
        RequestState state = state(requestId);
        return Jobs.split(state.request(), state.baseSeed(), clock.instant()).get(index);
    }

    private List<Generation> events() {
        return events.readValuesToList().stream()
                .map(v -> Codec.decode(v, Generation.class))
                .toList();
    }

    private List<String> heldKeys() {
        KeyValueStore<String, String> held = driver.getKeyValueStore(DispatcherTopology.HELD_STORE);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = held.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private List<Job> jobs() {
        return jobs.readValuesToList().stream()
                .map(v -> Codec.decode(v, Job.class))
                .toList();
    }

    private Generation event() {
        Generation event = Codec.decode(events.readValue(), Generation.class);
        assertTrue(events.isEmpty(), "one event per request");
        return event;
    }

    private RequestState state(String id) {
        KeyValueStore<String, RequestState> store = driver.getKeyValueStore(DispatcherTopology.REQUESTS_STORE);
        return store.get(id);
    }

    private static RequestBuilder request(String id) {
        return new RequestBuilder(id);
    }

    private JobResult succeeded(Job job) {
        StoredImage image = new StoredImage(
                "sdfleet",
                "images/" + job.jobId() + ".png",
                "http://127.0.0.1:9000/sdfleet/images/" + job.jobId() + ".png",
                "0".repeat(64),
                10,
                "image/png");
        return JobResult.succeeded(job, "w-1", 1, Map.of(), image, clock.instant());
    }

    private JobResult failed(Job job, boolean retryable) {
        return JobResult.failed(
                job,
                "w-1",
                1,
                Map.of(),
                new Failure(FailureReason.INFERENCE_ERROR, "out of memory", retryable),
                clock.instant());
    }

    /** A request of tenant acme with the fields these tests vary. */
    private static final class RequestBuilder {
        private GenerationRequest.Builder builder;

        RequestBuilder(String id) {
            builder = GenerationRequest.builder("a red circle", "tiny-sd")
                    .requestId(id)
                    .tenant("acme");
        }

        RequestBuilder tenant(String tenant) {
            builder.tenant(tenant);
            return this;
        }

        RequestBuilder n(int n) {
            builder.n(n);
            return this;
        }

        RequestBuilder seed(Long seed) {
            builder.seed(seed);
            return this;
        }

        RequestBuilder priority(Priority p) {
            builder.priority(p);
            return this;
        }

        RequestBuilder deadline(Instant d) {
            builder.deadline(d);
            return this;
        }

        RequestBuilder webhook(Webhook w) {
            builder.webhook(w);
            return this;
        }

        RequestBuilder prompt2(String prompt) {
            GenerationRequest current = builder.build();
            builder = GenerationRequest.builder(prompt, current.model())
                    .requestId(current.requestId())
                    .tenant(current.tenant());
            return this;
        }

        GenerationRequest build() {
            return builder.build();
        }
    }
}
