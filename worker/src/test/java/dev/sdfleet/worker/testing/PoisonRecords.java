package dev.sdfleet.worker.testing;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Records no consumer of the fleet should ever die of, each with the reason code its dead letter must carry: what a
 * hand-made kcat publish, a buggy producer or another schema version can put on a topic.
 */
public final class PoisonRecords {
    /** A value just under the broker's default 1 MiB record limit (and not JSON). */
    public static final int NEAR_LIMIT_BYTES = 1_000_000;

    /**
     * One poison record.
     *
     * @param name what is wrong with it, for assertion messages
     * @param record the record to publish
     * @param reason the reason its dead letter must carry
     */
    public record Poison(String name, ProducerRecord<byte[], byte[]> record, DeadLetterReason reason) {}

    private PoisonRecords() {}

    /** Every kind, on {@code topic}, keyed by {@code key} (one partition, in order) except the null-key one. */
    public static List<Poison> all(String topic, String key) {
        byte[] k = utf8(key);
        List<Poison> all = new ArrayList<>();

        // The record that killed workers: `printf x | kcat -P -t sdfleet.jobs -k p -H h1=v ... -H h65=v`.
        RecordHeaders many = new RecordHeaders();
        for (int i = 1; i <= 65; i++) {
            many.add("h" + i, utf8("v"));
        }
        all.add(new Poison("65 headers, not JSON", record(topic, k, utf8("x"), many), DeadLetterReason.MALFORMED));

        RecordHeaders odd = new RecordHeaders();
        odd.add("", utf8("empty name"));
        odd.add("null-value", null);
        all.add(new Poison(
                "an empty header name and a null header value, a JSON array",
                record(topic, k, utf8("[1,2,3]"), odd),
                DeadLetterReason.MALFORMED));

        all.add(new Poison(
                "wrong types",
                record(
                        topic,
                        k,
                        utf8("{\"schema_version\":1,\"request_id\":5,\"job_id\":[],\"image_index\":\"a\"}"),
                        new RecordHeaders()),
                DeadLetterReason.INVALID_MESSAGE));

        all.add(new Poison(
                "an unknown schema version",
                record(topic, k, utf8("{\"schema_version\":99,\"something\":\"new\"}"), new RecordHeaders()),
                DeadLetterReason.INVALID_MESSAGE));

        RecordHeaders garbage = new RecordHeaders();
        garbage.add(CloudEventHeaders.SPEC_VERSION, new byte[] {(byte) 0xff, (byte) 0xfe});
        garbage.add(CloudEventHeaders.TYPE, new byte[] {(byte) 0xc3});
        garbage.add(CloudEventHeaders.ID, null);
        all.add(new Poison(
                "garbage CloudEvents headers, not JSON",
                record(topic, k, new byte[] {0, 1, 2, (byte) 0xff}, garbage),
                DeadLetterReason.MALFORMED));

        RecordHeaders otherType = new RecordHeaders();
        otherType.add(CloudEventHeaders.SPEC_VERSION, utf8(CloudEventHeaders.SPEC_VERSION_VALUE));
        otherType.add(CloudEventHeaders.ID, utf8("e-1"));
        otherType.add(CloudEventHeaders.SOURCE, utf8("/kcat"));
        otherType.add(CloudEventHeaders.TYPE, utf8(MessageType.DEAD_LETTER.ceType()));
        otherType.add(CloudEventHeaders.CONTENT_TYPE, utf8(CloudEventHeaders.JSON));
        all.add(new Poison(
                "headers that declare another message type",
                record(topic, k, utf8("{}"), otherType),
                DeadLetterReason.INVALID_MESSAGE));

        all.add(new Poison(
                "a null key and a null value",
                record(topic, null, null, new RecordHeaders()),
                DeadLetterReason.MALFORMED));

        byte[] large = new byte[NEAR_LIMIT_BYTES];
        new Random(11).nextBytes(large);
        all.add(new Poison(
                "a value near the broker's size limit",
                record(topic, k, large, new RecordHeaders()),
                DeadLetterReason.MALFORMED));
        return all;
    }

    private static ProducerRecord<byte[], byte[]> record(
            String topic, byte[] key, byte[] value, RecordHeaders headers) {
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
