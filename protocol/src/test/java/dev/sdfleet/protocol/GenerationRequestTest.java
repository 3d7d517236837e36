package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationRequestTest {

    private static GenerationRequest.Builder valid() {
        return GenerationRequest.builder("a red circle", "tiny-sd");
    }

    @Test
    void promptIsRequiredAndNotBlank() {
        assertFieldError(
                "prompt",
                "is required",
                () -> GenerationRequest.builder(null, "m").build());
        assertFieldError(
                "prompt", "blank", () -> GenerationRequest.builder(" \t\n", "m").build());
        assertFieldError(
                "prompt",
                "at most 4096",
                () -> GenerationRequest.builder("x".repeat(4097), "m").build());
        // Characters, not UTF-16 units: 4096 emoji are allowed, as JSON Schema's maxLength counts them.
        assertDoesNotThrow(
                () -> GenerationRequest.builder("😀".repeat(4096), "m").build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f"})
    void promptsRefuseControlCharacters(String control) {
        String hex = String.format("U+%04X", (int) control.charAt(0));
        assertFieldError(
                "prompt",
                "control characters",
                () -> GenerationRequest.builder("a red" + control + " circle", "m")
                        .build());
        assertFieldError(
                "negative_prompt",
                hex,
                () -> valid().negativePrompt("blurry" + control).build());
    }

    @Test
    void promptsKeepWhitespaceControlsAndAnyUnicode() {
        assertDoesNotThrow(() -> GenerationRequest.builder("a red circle\ton a blue background,\r\nsmall 🐱 猫", "m")
                .negativePrompt("blurry\ntext")
                .build());
    }

    @Test
    void promptsMustBeValidUnicode() {
        assertFieldError(
                "prompt",
                "lone surrogate",
                () -> GenerationRequest.builder("a red \ud800circle", "m").build());
    }

    @Test
    void negativePromptIsBounded() {
        assertFieldError(
                "negative_prompt",
                () -> valid().negativePrompt("x".repeat(4097)).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 17})
    void nIsOneToSixteen(int n) {
        assertFieldError("n", "must be 1..16", () -> valid().n(n).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {56, 2056, 500, 0, -8})
    void sidesAreMultiplesOfEightIn64To2048(int side) {
        assertFieldError("width", () -> valid().size(side, 512).build());
        assertFieldError("height", () -> valid().size(512, side).build());
    }

    @Test
    void sideLimitsThemselvesAreAllowed() {
        assertDoesNotThrow(() -> valid().size(64, 2048).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 151})
    void stepsAreOneTo150(int steps) {
        assertFieldError("steps", () -> valid().steps(steps).build());
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.5, 30.01, Double.NaN, Double.POSITIVE_INFINITY})
    void guidanceIsFiniteZeroToThirty(double guidance) {
        assertFieldError("guidance", () -> valid().guidance(guidance).build());
    }

    @Test
    void seedIsThirtyTwoBits() {
        assertFieldError("seed", () -> valid().seed(-1L).build());
        assertFieldError("seed", () -> valid().seed(1L << 32).build());
        assertDoesNotThrow(() -> valid().seed(0xFFFF_FFFFL).build());
    }

    @Test
    void modelIsRequiredAndAnId() {
        assertFieldError(
                "model",
                "is required",
                () -> GenerationRequest.builder("p", null).build());
        assertFieldError("model", () -> GenerationRequest.builder("p", "../etc").build());
        assertFieldError("model", () -> GenerationRequest.builder("p", "a/b/c").build());
        assertDoesNotThrow(() ->
                GenerationRequest.builder("p", "runwayml/stable-diffusion-v1.5").build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "-lead", "has space", "é"})
    void idsAreSafeForKeysAndPaths(String id) {
        assertFieldError("request_id", () -> valid().requestId(id).build());
        assertFieldError("tenant", () -> valid().tenant(id).build());
    }

    @Test
    void idsAreAtMost128Characters() {
        assertDoesNotThrow(() -> valid().requestId("a".repeat(128)).build());
        assertFieldError("request_id", () -> valid().requestId("a".repeat(129)).build());
    }

    @Test
    void webhookUrlMustBeHttpWithAHostAndNoCredentials() {
        assertFieldError("url", "http", () -> Webhook.to("ftp://files.example.com/x"));
        assertFieldError("url", "http", () -> Webhook.to("HTTPS://upper.example.com/"));
        assertFieldError("url", "host", () -> Webhook.to("https:///path-only"));
        assertFieldError("url", "user info", () -> Webhook.to("https://user:secret@example.com/"));
        assertFieldError("url", "valid URL", () -> Webhook.to("https://exa mple.com/"));
        assertFieldError("url", "is required", () -> Webhook.to(null));
        assertDoesNotThrow(() -> Webhook.to("http://127.0.0.1:8080/hook?x=1"));
    }

    @Test
    void webhookEventsDefaultToTheTerminalOnesAndMayNotRepeat() {
        assertEquals(
                List.of(WebhookEvent.GENERATION_COMPLETED, WebhookEvent.GENERATION_FAILED),
                Webhook.to("https://x.example/").events());
        assertFieldError("events", "at least one", () -> new Webhook("https://x.example/", List.of()));
        assertFieldError(
                "events",
                "repeat",
                () -> new Webhook(
                        "https://x.example/", List.of(WebhookEvent.IMAGE_COMPLETED, WebhookEvent.IMAGE_COMPLETED)));
    }

    @Test
    void metadataIsBounded() {
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            tooMany.put("k" + i, "v");
        }
        assertFieldError(
                "metadata", "at most 16", () -> valid().metadata(tooMany).build());
        assertFieldError(
                "metadata._x", "key", () -> valid().metadata(Map.of("_x", "v")).build());
        assertFieldError(
                "metadata.k",
                "at most 512",
                () -> valid().metadata(Map.of("k", "v".repeat(513))).build());
    }

    @Test
    void deadlineMustBeARfc3339Year() {
        assertFieldError(
                "deadline",
                () -> valid().deadline(java.time.Instant.parse("+10000-01-01T00:00:00Z"))
                        .build());
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        ValidationException e = assertThrows(
                ValidationException.class,
                () -> GenerationRequest.builder("", "").n(0).steps(0).build());
        assertEquals(
                List.of("prompt", "n", "steps", "model"),
                e.errors().stream().map(FieldError::field).toList());
    }

    @Test
    void withersSetTheIdsTheDispatcherAssigns() {
        GenerationRequest request =
                Samples.minimalRequest().withRequestId("r-1").withTenant("acme");
        assertEquals("r-1", request.requestId());
        assertEquals("acme", request.tenant());
        assertEquals(Samples.minimalRequest().prompt(), request.prompt());
        assertEquals(Samples.fullRequest(), Samples.fullRequest().toBuilder().build());
    }

    @Test
    void anUnsupportedVersionIsAFieldError() {
        assertFieldError(
                "schema_version",
                "unsupported version 2",
                () -> new GenerationRequest(
                        2, null, null, "p", null, null, null, null, null, null, null, null, "m", null, null, null, null,
                        null));
    }
}
