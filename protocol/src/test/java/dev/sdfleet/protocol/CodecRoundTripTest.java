package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecRoundTripTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    static List<ProtocolMessage> samples() {
        return Samples.all();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMessageSurvivesEncodeThenDecode(ProtocolMessage message) {
        byte[] json = Codec.encode(message);
        ProtocolMessage back = Codec.decode(json, MessageType.of(message));
        assertEquals(message, back);
        assertArrayEquals(json, Codec.encode(back), "encoding is deterministic");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void namesAreSnakeCaseAndAbsentFieldsAreLeftOut(ProtocolMessage message) throws Exception {
        JsonNode tree = PLAIN.readTree(Codec.encode(message));
        assertEquals(1, tree.get("schema_version").asInt());
        tree.properties().forEach(field -> {
            assertTrue(field.getKey().matches("[a-z][a-z0-9_]*"), field.getKey());
            assertFalse(field.getValue().isNull(), field.getKey() + " is null instead of absent");
        });
    }

    @Test
    void writesInstantsAndEnumsAsTheSchemasSpellThem() throws Exception {
        JsonNode request = PLAIN.readTree(Codec.encode(Samples.fullRequest()));
        assertEquals("2026-03-01T12:10:00Z", request.get("deadline").asText());
        assertEquals("euler_a", request.get("scheduler").asText());
        assertEquals("high", request.get("priority").asText());
        assertEquals("png", request.get("output_format").asText());
        assertEquals(
                "generation.completed",
                request.get("webhook").get("events").get(0).asText());
        JsonNode result = PLAIN.readTree(Codec.encode(Samples.failed()));
        assertEquals("FAILED", result.get("status").asText());
        assertEquals("STORAGE_UNAVAILABLE", result.get("error").get("reason").asText());
    }

    @Test
    void keepsTheOrderOfStages() throws Exception {
        JsonNode stages = PLAIN.readTree(Codec.encode(Samples.succeeded())).get("stage_ms");
        List<String> names =
                stages.properties().stream().map(java.util.Map.Entry::getKey).toList();
        assertEquals(List.of("text_encoder", "denoise", "vae_decode", "upload"), names);
    }

    @Test
    void aMinimalRequestDecodesWithItsDefaults() {
        GenerationRequest request =
                Codec.decode("{\"prompt\":\"a cat\",\"model\":\"tiny-sd\"}".getBytes(), GenerationRequest.class);
        assertEquals(1, request.schemaVersion(), "an absent version means 1");
        assertEquals("", request.negativePrompt());
        assertEquals(1, request.n());
        assertEquals(512, request.width());
        assertEquals(512, request.height());
        assertEquals(GenerationRequest.DEFAULT_STEPS, request.steps());
        assertEquals(7.5, request.guidance());
        assertEquals(OutputFormat.PNG, request.outputFormat());
        assertEquals(Priority.NORMAL, request.priority());
        assertTrue(request.metadata().isEmpty());
        assertEquals(null, request.seed());
        assertEquals(null, request.scheduler());
    }

    @Test
    void nullMeansAbsentForOptionalFields() {
        GenerationRequest request = Codec.decode(
                ("{\"prompt\":\"a cat\",\"model\":\"m\",\"n\":null,\"seed\":null,"
                                + "\"webhook\":{\"url\":\"https://x.example/h\",\"events\":null},\"metadata\":null}")
                        .getBytes(),
                GenerationRequest.class);
        assertEquals(1, request.n());
        assertEquals(Webhook.DEFAULT_EVENTS, request.webhook().events());
        assertTrue(request.metadata().isEmpty());
    }

    @Test
    void decodesByCloudEventsType() {
        JobProgress progress = Samples.progress();
        CloudEventHeaders headers = CloudEventHeaders.forMessage(progress, "/sdfleet/worker/w-1", Samples.T0);
        ProtocolMessage back = Codec.decode(Codec.encode(progress), CloudEventHeaders.parse(headers.toMap()));
        assertEquals(progress, back);
    }

    @Test
    void deadLettersKeepTheOriginalBytes() {
        DeadLetter letter = Codec.decode(Codec.encode(Samples.deadLetter()), DeadLetter.class);
        assertArrayEquals(new byte[] {'{', '"', 'n', (byte) 0xC3, (byte) 0x28}, letter.valueBytes());
        assertEquals("req-42", new String(letter.keyBytes()));
        assertEquals(List.of(new FieldError("", "malformed JSON"), new FieldError("n", "bad")), letter.fieldErrors());
        assertTrue(letter.error().startsWith("ValidationException: "), letter.error());
    }
}
