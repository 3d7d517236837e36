package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A client reads a document that a newer dispatcher extended (an optional field it does not know, at the top and in
 * an image) without failing, and still refuses what is wrong with the fields it knows or a newer schema version.
 */
class DecodeIgnoringUnknownTest {
    private static final String EXTENDED = """
            {"schema_version": 1, "id": "req-43", "tenant": "acme", "status": "in_progress", "model": "tiny-sd",
             "prompt": "a blue square", "n": 1, "width": 64, "height": 64, "steps": 30, "priority": "high",
             "seed": 7, "accepted_at": "2026-03-01T12:00:00Z", "queue_position": 3,
             "images": [{"index": 0, "seed": 7, "status": "running", "attempt": 1, "step": 12, "total_steps": 30,
                         "worker": "w-1"}]}""";

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void skipsFieldsItDoesNotKnow() {
        Generation g = Codec.decodeIgnoringUnknown(utf8(EXTENDED), Generation.class);
        assertEquals(GenerationStatus.IN_PROGRESS, g.status());
        assertEquals(12, g.images().getFirst().step());
        assertThrows(ValidationException.class, () -> Codec.decode(utf8(EXTENDED), Generation.class), "strict");
    }

    @Test
    void stillChecksTheFieldsItKnowsAndTheVersion() {
        ValidationException badStatus = assertThrows(
                ValidationException.class,
                () -> Codec.decodeIgnoringUnknown(utf8(EXTENDED.replace("in_progress", "paused")), Generation.class));
        assertTrue(badStatus.getMessage().contains("status"), badStatus.getMessage());
        ValidationException newer = assertThrows(
                ValidationException.class,
                () -> Codec.decodeIgnoringUnknown(
                        utf8(EXTENDED.replace("\"schema_version\": 1", "\"schema_version\": 2")), Generation.class));
        assertTrue(newer.getMessage().contains("schema_version"), newer.getMessage());
    }
}
