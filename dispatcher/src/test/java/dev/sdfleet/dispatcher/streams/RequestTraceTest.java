package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.support.MutableClock;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The stream task keeps each request's trace context and passes it on: stored with the request, a child span on each
 * job record (a retry too), a new trace for a request that came without one, none for a request stored before traces
 * were kept; and the log fields of an input record.
 */
class RequestTraceTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final MutableClock clock = new MutableClock(START);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestInputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> jobs;
    private TestOutputTopic<String, byte[]> events;
    private TestOutputTopic<String, byte[]> cancels;

    @BeforeEach
    void start() throws Exception {
        DispatcherConfig config = DispatcherConfig.builder("unused:9092")
                .topicPrefix("t.")
                .maxAttempts(3)
                .build();
        QueueTally tally = new QueueTally(config.pixelStepsPerGpuSecond());
        ProcessorHooks hooks = new ProcessorHooks(
                config,
                clock,
                new DispatcherMetrics(tally),
                tally,
                new Admissions(),
                (requestId, tenant, delivery) -> {},
                ImageLinks.none());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "trace-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("trace-test").toString());
        driver = new TopologyTestDriver(
                DispatcherTopology.build(config.topics(), config.controlTopic(), hooks), props, START);
        requests =
                driver.createInputTopic(config.topics().requests(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createInputTopic(config.topics().results(), new StringSerializer(), new ByteArraySerializer());
        jobs = driver.createOutputTopic(
                config.topics().jobsFor("tiny-sd"), new StringDeserializer(), new ByteArrayDeserializer());
        events = driver.createOutputTopic(
                config.topics().events(), new StringDeserializer(), new ByteArrayDeserializer());
        cancels = driver.createOutputTopic(
                config.topics().cancels(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theRequestsTraceIsStoredAndEachJobIsAChildSpanOfIt() {
        submit("r1", 2, CALLER);
        assertEquals(CALLER, state("r1").traceParent());
        List<TestRecord<String, byte[]>> published = jobs.readRecordsToList();
        assertEquals(2, published.size());
        Set<String> spans = published.stream()
                .map(RequestTraceTest::traceOf)
                .peek(trace -> assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", trace.traceId()))
                .map(TraceParent::parentId)
                .collect(Collectors.toSet());
        assertEquals(2, spans.size(), "a span per job");
        assertFalse(spans.contains("00f067aa0ba902b7"), "not the caller's span");

        // A retry goes out in the same trace.
        Job first = Codec.decode(published.getFirst().value(), Job.class);
        results.pipeInput("r1", Codec.encode(retryableFailure(first)), clock.instant());
        TestRecord<String, byte[]> retry = jobs.readRecord();
        assertEquals(2, Codec.decode(retry.value(), Job.class).attempt());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", traceOf(retry).traceId());
    }

    @Test
    void theRequestsEventsAndTheCancelOfItsDeadlineGoInItsTrace() {
        GenerationRequest request = GenerationRequest.builder("a red circle", "tiny-sd")
                .requestId("late")
                .tenant("acme")
                .deadline(START.plus(Duration.ofSeconds(30)))
                .build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(TraceParent.HEADER, CALLER.getBytes(StandardCharsets.UTF_8));
        requests.pipeInput(new TestRecord<>("late", Codec.encode(request), headers, clock.instant()));
        clock.set(START.plus(Duration.ofMinutes(1)));
        driver.advanceWallClockTime(Duration.ofMinutes(1));

        List<TestRecord<String, byte[]>> documents = events.readRecordsToList();
        assertFalse(documents.isEmpty(), "the request's end goes on the events topic");
        List<TestRecord<String, byte[]>> cancelled = cancels.readRecordsToList();
        assertEquals(1, cancelled.size(), "the deadline's cancel");
        for (TestRecord<String, byte[]> record : concat(documents, cancelled)) {
            TraceParent trace = traceOf(record);
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", trace.traceId(), "in the request's trace");
            assertNotEquals("00f067aa0ba902b7", trace.parentId(), "a span of its own");
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    @Test
    void aRequestWithoutOrWithABadTraceGetsANewOneForAllItsJobs() {
        submit("none", 2, null);
        submit("bad", 1, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"); // flags too short
        String none =
                TraceParent.parse(state("none").traceParent()).orElseThrow().traceId();
        String bad = TraceParent.parse(state("bad").traceParent()).orElseThrow().traceId();
        assertNotEquals(none, bad);
        assertNotEquals("4bf92f3577b34da6a3ce929d0e0e4736", bad);
        Map<String, Set<String>> tracesByRequest = jobs.readRecordsToList().stream()
                .collect(Collectors.groupingBy(
                        TestRecord::key, Collectors.mapping(r -> traceOf(r).traceId(), Collectors.toSet())));
        assertEquals(Map.of("none", Set.of(none), "bad", Set.of(bad)), tracesByRequest);
    }

    @Test
    void aStateStoredBeforeTracesReadsAsNoneAndItsJobsGoWithout() {
        submit("old", 1, CALLER);
        ObjectNode stored = StateJson.MAPPER.valueToTree(state("old"));
        assertEquals(CALLER, stored.get("traceParent").asText());
        stored.remove("traceParent");
        RequestState old = StateJson.read(StateJson.write(stored), RequestState.class);
        assertNull(old.traceParent());

        Record<String, byte[]> job = RequestTrace.inTrace(new Record<>("old", new byte[0], 0L), old.traceParent());
        assertNull(job.headers().lastHeader(TraceParent.HEADER));
    }

    @Test
    void anInputRecordsLogFieldsComeFromItsKeyAndHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "dev.sdfleet.job.result.v1".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_subject", "r1/0".getBytes(StandardCharsets.UTF_8));
        headers.add(TraceParent.HEADER, CALLER.getBytes(StandardCharsets.UTF_8));
        assertEquals(
                Map.of("request_id", "r1", "job_id", "r1/0", "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                fields(RequestTrace.logContext(new Record<>("r1", new byte[0], 0L, headers))));
        assertEquals(
                Map.of("request_id", "r2"),
                fields(RequestTrace.logContext(new Record<>("r2", new byte[0], 0L))),
                "no job for a request record, no trace without a header");
    }

    private static Map<String, String> fields(LogContext context) {
        try (LogContext.Scope scope = context.open()) {
            Map<String, String> copy = MDC.getCopyOfContextMap();
            return copy == null ? Map.of() : Map.copyOf(copy);
        }
    }

    private void submit(String id, int n, String traceparent) {
        GenerationRequest request = GenerationRequest.builder("a red circle", "tiny-sd")
                .requestId(id)
                .tenant("acme")
                .n(n)
                .build();
        RecordHeaders headers = new RecordHeaders();
        if (traceparent != null) {
            headers.add(TraceParent.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        requests.pipeInput(new TestRecord<>(id, Codec.encode(request), headers, clock.instant()));
    }

    private RequestState state(String id) {
        KeyValueStore<String, RequestState> store = driver.getKeyValueStore(DispatcherTopology.REQUESTS_STORE);
        return store.get(id);
    }

    private JobResult retryableFailure(Job job) {
        return JobResult.failed(
                job, "w-1", 1, Map.of(), new Failure(FailureReason.INFERENCE_ERROR, "oom", true), clock.instant());
    }

    private static TraceParent traceOf(TestRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(TraceParent.HEADER);
        return TraceParent.parse(header == null ? null : new String(header.value(), StandardCharsets.UTF_8))
                .orElseThrow(() -> new AssertionError("no traceparent on " + record));
    }
}
