package dev.sdfleet.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Which records run, which get a FAILED result, which go to the dead-letter topic. */
class JobRecordsTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final Job job = TestJobs.job("req-1", 0, "a red circle", 7);

    static ConsumerRecord<byte[], byte[]> record(byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>(
                "sdfleet.jobs",
                1,
                42,
                0,
                TimestampType.CREATE_TIME,
                0,
                0,
                "key".getBytes(StandardCharsets.UTF_8),
                value,
                headers,
                Optional.empty());
    }

    static RecordHeaders headersOf(ProtocolMessage message) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(message, "/test", NOW).toMap().forEach(headers::add);
        return headers;
    }

    @Test
    void aValidJobIsAccepted() {
        var decoded = JobRecords.decode(record(Codec.encode(job), headersOf(job)), "w", NOW);
        assertEquals(job, assertInstanceOf(JobRecords.Accepted.class, decoded).job());
    }

    @Test
    void aJobWithoutHeadersIsAcceptedToo() {
        var decoded = JobRecords.decode(record(Codec.encode(job), new RecordHeaders()), "w", NOW);
        assertInstanceOf(JobRecords.Accepted.class, decoded);
    }

    @Test
    void notJsonIsADeadLetterWithItsBytesAndCoordinates() {
        byte[] value = {(byte) 0xff, 0, 'x'};
        var letter = assertInstanceOf(
                        JobRecords.DeadLettered.class,
                        JobRecords.decode(record(value, new RecordHeaders()), "w-1", NOW))
                .letter();
        assertEquals("sdfleet.jobs", letter.topic());
        assertEquals(1, letter.partition());
        assertEquals(42, letter.offset());
        assertArrayEquals(value, letter.valueBytes());
        assertEquals("w-1", letter.failedBy());
    }

    @Test
    void aJobThatBreaksTheContractGetsAFailedResult() {
        String wide = Codec.encodeToString(job).replace("\"width\":64", "\"width\":500");
        var result = assertInstanceOf(
                        JobRecords.Rejected.class,
                        JobRecords.decode(record(wide.getBytes(StandardCharsets.UTF_8), new RecordHeaders()), "w", NOW))
                .result();
        assertEquals("req-1/0", result.jobId());
        assertEquals(JobStatus.FAILED, result.status());
        assertEquals(FailureReason.INVALID_PARAMETERS, result.error().reason());
        assertFalse(result.error().retryable());
        assertTrue(result.error().message().contains("width"), result.error().message());
    }

    @Test
    void aJsonObjectThatNamesNoJobIsADeadLetter() {
        byte[] value = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
        assertInstanceOf(
                JobRecords.DeadLettered.class, JobRecords.decode(record(value, new RecordHeaders()), "w", NOW));
    }

    @Test
    void anotherMessageTypeIsADeadLetter() {
        CancelRequest cancel = CancelRequest.ofRequest("req-1", null, NOW);
        var letter = assertInstanceOf(
                        JobRecords.DeadLettered.class,
                        JobRecords.decode(record(Codec.encode(cancel), headersOf(cancel)), "w", NOW))
                .letter();
        assertTrue(letter.error().contains("ce_type"), letter.error());
    }

    @Test
    void aTombstoneIsADeadLetter() {
        assertInstanceOf(JobRecords.DeadLettered.class, JobRecords.decode(record(null, new RecordHeaders()), "w", NOW));
    }
}
