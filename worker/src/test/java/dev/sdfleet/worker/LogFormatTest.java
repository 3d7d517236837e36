package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogSettings;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker program's log as a log shipper and a person read it ({@link WorkerMain} in a child JVM, its output
 * captured): with {@code SDFLEET_LOG_FORMAT=json} every line is one JSON object, and every line about a job names its
 * request, job, tenant and the job's trace (the trace id of the job record's {@code traceparent}, under the worker's
 * own span); by default the lines are text, the same fields after the message.
 */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonLinesAreObjectsAndLinesAboutAJobNameIt(@TempDir Path logs) throws Exception {
        try (Fleet fleet = new Fleet("logjson")) {
            Job job = TestJobs.sized("req-logjson", 0, "a red circle", 7, 64, 2);
            TraceParent sent = TraceParent.generate();
            List<String> lines = runOne(fleet, LogSettings.JSON, job, sent, logs.resolve("worker.log"));

            int aboutTheJob = 0;
            for (String line : lines) {
                JsonNode entry = parse(line);
                assertTrue(entry.hasNonNull("@timestamp") && entry.hasNonNull("log.level"), line);
                if (entry.path("message").asText().contains(job.jobId())) {
                    aboutTheJob++;
                    assertEquals(job.jobId(), entry.path("job_id").asText(), line);
                    assertEquals(job.requestId(), entry.path("request_id").asText(), line);
                    assertEquals(job.tenant(), entry.path("tenant").asText(), line);
                    assertEquals(sent.traceId(), entry.path("trace_id").asText(), line);
                    assertNotEquals(sent.parentId(), entry.path("span_id").asText(), "the worker's own span");
                }
            }
            assertTrue(aboutTheJob >= 2, "generating and succeeded lines at least: " + lines);
        }
    }

    @Test
    void textLinesAreForATerminal(@TempDir Path logs) throws Exception {
        try (Fleet fleet = new Fleet("logtext")) {
            Job job = TestJobs.sized("req-logtext", 0, "a red circle", 7, 64, 2);
            TraceParent sent = TraceParent.generate();
            List<String> lines = runOne(fleet, null, job, sent, logs.resolve("worker.log"));

            assertTrue(lines.stream().noneMatch(line -> line.startsWith("{")), "no JSON: " + lines);
            String succeeded = lines.stream()
                    .filter(line -> line.contains(" INFO ") && line.contains("succeeded: s3://"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no success line: " + lines));
            assertTrue(succeeded.contains("trace_id=" + sent.traceId()), succeeded);
            assertTrue(succeeded.contains("job_id=" + job.jobId()), succeeded);
        }
    }

    /** Runs {@code job} (its record carrying {@code sent}) on a worker process; its log lines once it has stopped. */
    private static List<String> runOne(Fleet fleet, String format, Job job, TraceParent sent, Path log)
            throws Exception {
        WorkerConfig.Builder config = fleet.config("w-log");
        if (format != null) {
            config.set(WorkerConfig.LOG_FORMAT, format);
        }
        try (WorkerProcess worker =
                WorkerProcess.start(config.build(), WorkerProcess.currentClassPath(), log, List.of("-Xmx512m"))) {
            worker.awaitReady(Fleet.TIMEOUT);
            RecordHeaders headers = new RecordHeaders();
            CloudEventHeaders.forMessage(job, "/sdfleet/test", Instant.now())
                    .toMap()
                    .forEach(headers::add);
            headers.add(TraceParent.HEADER, sent.headerBytes());
            fleet.publishRecord(new ProducerRecord<>(
                    MessageType.of(job).topic(fleet.topics()),
                    null,
                    RecordKeys.keyOf(job),
                    Codec.encode(job),
                    headers));
            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            worker.stop(Duration.ofSeconds(30));
        }
        List<String> lines = lines(log);
        assertFalse(lines.isEmpty());
        return lines;
    }

    /**
     * The process's output, less the JVM's own warnings (JDK 25 warns of Kafka's and ORT's use of restricted APIs on
     * stderr itself, not through the log; the images run Java 21, which does not).
     */
    private static List<String> lines(Path log) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("WARNING: "))
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
}
