package dev.sdfleet.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Decoding takes any record without throwing, and what it gives back can always be published: thousands of random
 * records (random bytes, pieces of a real job, random header counts, names and values, null key or value), seeded so
 * that a failure is reproducible.
 */
class JobRecordsFuzzTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final byte[] JOB = Codec.encode(TestJobs.job("req-1", 0, "a red circle", 7));

    @Test
    void anyRecordDecodesToSomethingPublishable() {
        Random random = new Random(20261204);
        for (int i = 0; i < 3_000; i++) {
            ConsumerRecord<byte[], byte[]> record = randomRecord(random, i);
            JobRecords.Decoded decoded = JobRecords.decode(record, "w-fuzz", NOW);
            assertNotNull(decoded, "record " + i);
            switch (decoded) {
                case JobRecords.Accepted accepted -> assertNotNull(accepted.job());
                case JobRecords.Rejected rejected -> roundTrip(rejected.result(), JobResult.class);
                case JobRecords.DeadLettered dead -> {
                    DeadLetter letter = roundTrip(dead.letter(), DeadLetter.class);
                    assertEquals(record.offset(), letter.offset(), "record " + i);
                }
            }
        }
    }

    private static <T extends ProtocolMessage> T roundTrip(T message, Class<T> type) {
        return Codec.decode(Codec.encode(message), type);
    }

    private static ConsumerRecord<byte[], byte[]> randomRecord(Random random, int offset) {
        RecordHeaders headers = new RecordHeaders();
        int count = random.nextInt(4) == 0 ? 60 + random.nextInt(10) : random.nextInt(4);
        for (int h = 0; h < count; h++) {
            String name = switch (random.nextInt(5)) {
                case 0 -> "";
                case 1 -> "ce_" + random.nextInt(3);
                case 2 -> "ce_type";
                default -> "h" + random.nextInt(100);
            };
            headers.add(name, random.nextInt(6) == 0 ? null : bytes(random, random.nextInt(40)));
        }
        return new ConsumerRecord<>(
                "sdfleet.jobs",
                0,
                offset,
                0,
                TimestampType.CREATE_TIME,
                0,
                0,
                random.nextInt(5) == 0 ? null : bytes(random, random.nextInt(20)),
                value(random),
                headers,
                Optional.empty());
    }

    private static byte[] value(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> null;
            case 1 -> bytes(random, random.nextInt(200));
            case 2 -> mutate(random, JOB.clone());
            case 3 -> java.util.Arrays.copyOf(JOB, random.nextInt(JOB.length));
            case 4 ->
                "{\"request_id\":\"r\",\"job_id\":\"r/0\",\"image_index\":0,\"width\":500}"
                        .getBytes(StandardCharsets.UTF_8);
            default -> JOB.clone();
        };
    }

    private static byte[] mutate(Random random, byte[] json) {
        for (int n = random.nextInt(4); n >= 0; n--) {
            json[random.nextInt(json.length)] = (byte) random.nextInt(256);
        }
        return json;
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
