package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.kafka.LoopState;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.PoisonRecords;
import dev.sdfleet.worker.testing.PoisonRecords.Poison;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * No record on the jobs topic takes a worker down. Each kind of poison record (65 headers, empty header names, null
 * header values, garbage CloudEvents headers, wrong types, another schema version, a tombstone, a value near the
 * broker's limit) goes to the dead-letter topic with its source position and reason, its offset is committed, it is
 * counted, and the jobs behind it run: among them a valid job with the same bad headers, which headers alone never
 * condemn.
 */
class PoisonJobRecordsTest {
    private static final String KEY = "poison";

    @Test
    void everyPoisonRecordIsDeadLetteredAndTheJobsBehindItRun() {
        try (Fleet fleet = new Fleet("poison")) {
            Worker worker = fleet.start(fleet.config("w-poison").build());
            String jobs = fleet.topics().jobs();

            List<Poison> poisons = PoisonRecords.all(jobs, KEY);
            List<RecordMetadata> positions =
                    poisons.stream().map(p -> fleet.publishRecord(p.record())).toList();
            Job badHeaders = TestJobs.job("req-bad-headers", 0, "a red circle on a blue background", 5);
            fleet.publishRecord(new ProducerRecord<>(
                    jobs, null, KEY.getBytes(StandardCharsets.UTF_8), Codec.encode(badHeaders), badHeaders()));
            Job good = TestJobs.job("req-after-poison", 0, "a green square on a white background", 6);
            fleet.publishWithKey(KEY, good);

            for (int i = 0; i < poisons.size(); i++) {
                Poison poison = poisons.get(i);
                RecordMetadata at = positions.get(i);
                DeadLetter letter = fleet.deadLetters()
                        .await(d -> d.partition() == at.partition() && d.offset() == at.offset(), Fleet.TIMEOUT);
                assertEquals(jobs, letter.topic(), poison.name());
                assertEquals(poison.reason(), letter.reason(), () -> poison.name() + ": " + letter.error());
                assertEquals("w-poison", letter.failedBy(), poison.name());
                assertKeptBytes(poison, letter);
            }

            for (Job job : List.of(badHeaders, good)) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
                assertTrue(fleet.object(result.output().key()).length > 0, "the image is in S3");
            }

            long records = poisons.size() + 2;
            Fleet.await("every record committed", () -> fleet.committedTotal() == records);
            assertEquals(LoopState.RUNNING, worker.state());
            assertFalse(worker.hasFailed());
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                long expected =
                        poisons.stream().filter(p -> p.reason() == reason).count();
                assertEquals(
                        expected,
                        (long) worker.metrics().badRecords(WorkerMetrics.DEAD_LETTERS, jobs, reason.name()),
                        "dead letters counted for " + reason);
            }
        }
    }

    /** The original bytes as DeadLetter keeps them: whole when small, the first part (and the size) when large. */
    private static void assertKeptBytes(Poison poison, DeadLetter letter) {
        byte[] value = poison.record().value();
        if (value == null) {
            assertEquals(null, letter.valueBase64(), poison.name());
            return;
        }
        assertEquals(value.length, letter.valueSize(), poison.name());
        byte[] kept = letter.valueBytes();
        assertArrayEquals(Arrays.copyOf(value, kept.length), kept, poison.name());
        assertEquals(value.length > kept.length, letter.truncated(), poison.name());
    }

    /** 65 headers, an empty name, a null value and unreadable CloudEvents headers on a job that is fine. */
    private static RecordHeaders badHeaders() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 1; i <= 65; i++) {
            headers.add("h" + i, "v".getBytes(StandardCharsets.UTF_8));
        }
        headers.add("", "empty name".getBytes(StandardCharsets.UTF_8));
        headers.add("null-value", null);
        headers.add(CloudEventHeaders.SPEC_VERSION, new byte[] {(byte) 0xff});
        return headers;
    }
}
