package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadLetter#of} builds a publishable dead letter from any record a consumer can be handed: a consumer that
 * could not build one used to treat that as fatal and die, and every consumer that took the partition over died too.
 */
class DeadLetterOfAnyRecordTest {
    private static final byte[] X = {'x'};

    private static DeadLetter of(byte[] key, byte[] value, Map<String, byte[]> headers) {
        return DeadLetter.of(
                "sdfleet.jobs",
                2,
                40,
                key,
                value,
                headers,
                new IllegalArgumentException("bad"),
                "worker-1",
                Samples.T0);
    }

    /** Published and read back by the strict codec: a dead letter a consumer can always write and a person read. */
    private static DeadLetter roundTrip(DeadLetter letter) {
        byte[] json = Codec.encode(letter);
        assertTrue(json.length < 1024 * 1024, "fits Kafka's default 1 MiB record: " + json.length);
        return Codec.decode(json, DeadLetter.class);
    }

    @Test
    void moreThanSixtyFourHeadersKeepTheFirstAndCountTheRest() {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (int i = 1; i <= 65; i++) {
            headers.put(String.format("h%02d", i), "v".getBytes(StandardCharsets.UTF_8));
        }
        DeadLetter letter = roundTrip(of(null, X, headers));
        assertEquals(DeadLetter.MAX_HEADERS, letter.headers().size());
        assertEquals(1, letter.headersDropped());
        assertArrayEquals(X, letter.valueBytes());
    }

    @Test
    void emptyHeaderNamesAndNullHeaderValuesAreCountedNotKept() {
        Map<String, byte[]> headers = new HashMap<>();
        headers.put("", X);
        headers.put("null-value", null);
        headers.put("n".repeat(DeadLetter.MAX_HEADER_NAME_LENGTH + 1), X);
        headers.put("ok", X);
        DeadLetter letter = roundTrip(of(null, X, headers));
        assertEquals(Map.of("ok", "eA=="), letter.headers());
        assertEquals(3, letter.headersDropped());
    }

    @Test
    void largeKeysValuesAndHeaderValuesAreCutWithTheirSizesKept() {
        byte[] value = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(value);
        byte[] key = new byte[DeadLetter.MAX_KEPT_KEY_BYTES + 1];
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            headers.put("h" + i, new byte[64 * 1024]);
        }
        DeadLetter letter = roundTrip(of(key, value, headers));
        assertTrue(letter.truncated());
        assertEquals(value.length, letter.valueSize());
        assertArrayEquals(Arrays.copyOf(value, DeadLetter.MAX_KEPT_VALUE_BYTES), letter.valueBytes());
        assertEquals(key.length, letter.keySize());
        assertEquals(DeadLetter.MAX_KEPT_KEY_BYTES, letter.keyBytes().length);
    }

    @Test
    void aSmallRecordIsKeptWhole() {
        DeadLetter letter = roundTrip(of("k".getBytes(StandardCharsets.UTF_8), X, Map.of("h", X)));
        assertFalse(letter.truncated());
        assertEquals(1, letter.keySize());
        assertEquals(1, letter.valueSize());
        assertEquals(0, letter.headersDropped());
    }

    @Test
    void invalidPositionOrWorkerIdOrMissingCauseAreReplacedNotThrown() {
        DeadLetter letter = roundTrip(
                DeadLetter.of("not a topic!", -1, -5, null, null, null, (Throwable) null, "not an id!", null));
        assertEquals("unknown", letter.topic());
        assertEquals(0, letter.partition());
        assertEquals(0, letter.offset());
        assertNull(letter.failedBy());
        assertEquals(DeadLetterReason.PROCESSING_FAILED, letter.reason());
        assertTrue(letter.error().contains("replaced"), letter.error());
    }

    @Test
    void theReasonFollowsTheCause() {
        assertEquals(
                DeadLetterReason.MALFORMED,
                DeadLetterReason.of(catchValidation(() -> Codec.decode("{\"n\":".getBytes(), Job.class))));
        assertEquals(
                DeadLetterReason.MALFORMED, DeadLetterReason.of(catchValidation(() -> Codec.decode(X, Job.class))));
        assertEquals(
                DeadLetterReason.INVALID_MESSAGE,
                DeadLetterReason.of(
                        catchValidation(() -> Codec.decode("{\"schema_version\":1}".getBytes(), Job.class))));
        assertEquals(DeadLetterReason.PROCESSING_FAILED, DeadLetterReason.of(new IllegalStateException()));
    }

    private static ValidationException catchValidation(Runnable decode) {
        try {
            decode.run();
        } catch (ValidationException e) {
            return e;
        }
        throw new AssertionError("expected a ValidationException");
    }
}
