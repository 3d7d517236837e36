package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertDecodeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the codec refuses, and that each refusal names the field. */
class CodecStrictnessTest {

    private static final String REQUEST = "{\"prompt\":\"a cat\",\"model\":\"m\"";

    private static String request(String extra) {
        return REQUEST + "," + extra + "}";
    }

    private static String message(String field, ValidationException e) {
        return e.errors().stream()
                .filter(err -> err.field().equals(field))
                .findFirst()
                .orElseThrow()
                .message();
    }

    @Test
    void unknownPropertiesAreRejectedByName() {
        ValidationException e = assertDecodeError("colour", GenerationRequest.class, request("\"colour\":\"red\""));
        assertTrue(message("colour", e).contains("not a known property"), e.getMessage());
        assertTrue(message("colour", e).contains("negative_prompt"), "lists what is allowed: " + e.getMessage());
        assertDecodeError(
                "webhook.secret",
                GenerationRequest.class,
                request("\"webhook\":{\"url\":\"https://x.example/\",\"secret\":\"s\"}"));
        assertDecodeError(
                "images[0].colour",
                Generation.class,
                Codec.encodeToString(Samples.completed())
                        .replaceFirst("\"content_type\"", "\"colour\":1,\"content_type\""));
    }

    @Test
    void camelCaseNamesAreUnknown() {
        assertDecodeError("negativePrompt", GenerationRequest.class, request("\"negativePrompt\":\"x\""));
    }

    @Test
    void wrongJsonTypesAreRejectedWithTheField() {
        assertEquals(
                "must be an integer",
                message("n", assertDecodeError("n", GenerationRequest.class, request("\"n\":\"4\""))));
        assertDecodeError("n", GenerationRequest.class, request("\"n\":4.5"));
        assertDecodeError("n", GenerationRequest.class, request("\"n\":4.0"));
        assertDecodeError("n", GenerationRequest.class, request("\"n\":true"));
        assertDecodeError("n", GenerationRequest.class, request("\"n\":[4]"));
        assertDecodeError("guidance", GenerationRequest.class, request("\"guidance\":\"7.5\""));
        assertEquals(
                "must be a string",
                message(
                        "prompt",
                        assertDecodeError("prompt", GenerationRequest.class, "{\"prompt\":5,\"model\":\"m\"}")));
        assertDecodeError("prompt", GenerationRequest.class, "{\"prompt\":[\"a\"],\"model\":\"m\"}");
        assertDecodeError("metadata.k", GenerationRequest.class, request("\"metadata\":{\"k\":1}"));
        assertDecodeError("metadata", GenerationRequest.class, request("\"metadata\":[]"));
        assertDecodeError("webhook", GenerationRequest.class, request("\"webhook\":\"https://x.example/\""));
        assertDecodeError(
                "webhook.events",
                GenerationRequest.class,
                request("\"webhook\":{\"url\":\"https://x.example/\",\"events\":\"generation.completed\"}"));
        String failed = Codec.encodeToString(Samples.failed());
        assertDecodeError("error.retryable", JobResult.class, failed.replace("\"retryable\":true", "\"retryable\":1"));
        assertDecodeError(
                "error.retryable", JobResult.class, failed.replace("\"retryable\":true", "\"retryable\":\"true\""));
    }

    @Test
    void enumsTakeOnlyTheirJsonNames() {
        ValidationException e =
                assertDecodeError("scheduler", GenerationRequest.class, request("\"scheduler\":\"karras\""));
        assertTrue(
                message("scheduler", e).contains("pndm, ddim, euler, euler_a, lms, dpmpp_2m, dpmpp_2m_karras"),
                e.getMessage());
        assertDecodeError("scheduler", GenerationRequest.class, request("\"scheduler\":\"EULER_A\""));
        assertDecodeError("scheduler", GenerationRequest.class, request("\"scheduler\":2"));
        assertDecodeError("priority", GenerationRequest.class, request("\"priority\":\"urgent\""));
        assertDecodeError("priority", GenerationRequest.class, request("\"priority\":\"\""));
        assertDecodeError(
                "webhook.events[1]",
                GenerationRequest.class,
                request("\"webhook\":{\"url\":\"https://x.example/\",\"events\":[\"image.completed\",\"started\"]}"));
    }

    @Test
    void instantsAreRfc3339StringsOnly() {
        assertDecodeError("deadline", GenerationRequest.class, request("\"deadline\":1767225600"));
        assertDecodeError("deadline", GenerationRequest.class, request("\"deadline\":\"2026-01-01 12:00:00Z\""));
        assertDecodeError("deadline", GenerationRequest.class, request("\"deadline\":\"2026-01-01T12:00Z\""));
        assertDecodeError("deadline", GenerationRequest.class, request("\"deadline\":\"2026-02-30T12:00:00Z\""));
        GenerationRequest offset = Codec.decode(
                request("\"deadline\":\"2026-01-01T14:00:00.5+02:00\"").getBytes(), GenerationRequest.class);
        assertEquals(java.time.Instant.parse("2026-01-01T12:00:00.500Z"), offset.deadline());
    }

    @Test
    void outOfRangeNumbersAreFieldErrors() {
        assertDecodeError("n", GenerationRequest.class, request("\"n\":99999999999"));
        assertDecodeError("seed", GenerationRequest.class, request("\"seed\":123456789012345678901234567890"));
        assertDecodeError("guidance", GenerationRequest.class, request("\"guidance\":1e400"));
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        String job = Codec.encodeToString(Samples.job());
        assertEquals(
                "is required",
                message("seed", assertDecodeError("seed", Job.class, job.replaceFirst("\"seed\":[0-9]+,", ""))));
        assertDecodeError("image_index", Job.class, job.replaceFirst("\"image_index\":1,", ""));
        assertDecodeError("tenant", Job.class, job.replaceFirst("\"tenant\":\"acme\",", ""));
        assertDecodeError("model", GenerationRequest.class, "{\"prompt\":\"p\"}");
        assertDecodeError(
                "images[0].index",
                Generation.class,
                Codec.encodeToString(Samples.completed()).replaceFirst("\"index\":0,", ""));
    }

    @Test
    void nullIsNotANumber() {
        String job = Codec.encodeToString(Samples.job());
        assertDecodeError("seed", Job.class, job.replaceFirst("\"seed\":[0-9]+", "\"seed\":null"));
    }

    @Test
    void schemaVersionIsChecked() {
        String job = Codec.encodeToString(Samples.job());
        ValidationException newer = assertDecodeError(
                "schema_version",
                Job.class,
                job.replace("\"schema_version\":1", "\"schema_version\":2,\"new_field\":true"));
        assertEquals(1, newer.errors().size(), "a newer version is reported as such, not as unknown fields");
        assertTrue(newer.getMessage().contains("unsupported version 2"), newer.getMessage());
        assertDecodeError("schema_version", Job.class, job.replace("\"schema_version\":1,", ""));
        assertDecodeError("schema_version", Job.class, job.replace("\"schema_version\":1", "\"schema_version\":\"1\""));
        assertDecodeError("schema_version", Job.class, job.replace("\"schema_version\":1", "\"schema_version\":0"));
        assertDecodeError("schema_version", GenerationRequest.class, request("\"schema_version\":3"));
    }

    @Test
    void recordRulesComeOutWithTheirFullPath() {
        assertDecodeError(
                "webhook.url", GenerationRequest.class, request("\"webhook\":{\"url\":\"ftp://x.example/\"}"));
        assertDecodeError(
                "images[1].error.message",
                Generation.class,
                Codec.encodeToString(Samples.cancelled()).replace("\"message\":\"cancelled by the caller\",", ""));
        assertDecodeError("n", GenerationRequest.class, request("\"n\":17"));
    }

    @Test
    void allOfARecordsOwnErrorsComeTogether() {
        ValidationException e = assertDecodeError(
                "n", GenerationRequest.class, "{\"prompt\":\" \",\"model\":\"m\",\"n\":0,\"width\":7}");
        assertEquals(3, e.errors().size(), e.getMessage());
    }

    @Test
    void malformedJsonIsRejectedWhereItBreaks() {
        assertDecodeError("", GenerationRequest.class, "");
        assertDecodeError("", GenerationRequest.class, "[1,2]");
        assertDecodeError("", GenerationRequest.class, "\"text\"");
        assertDecodeError("", GenerationRequest.class, "null");
        assertDecodeError("", GenerationRequest.class, REQUEST + "} {}");
        assertDecodeError("prompt", GenerationRequest.class, "{\"prompt\":");
        assertDecodeError("metadata.a", GenerationRequest.class, request("\"metadata\":{\"a\":\"x\" \"b\":\"y\"}"));
        assertTrue(
                assertDecodeError("n", GenerationRequest.class, request("\"n\":1,\"n\":2"))
                        .getMessage()
                        .contains("Duplicate"),
                "a repeated property is rejected, not silently overwritten");
        assertDecodeError("n", GenerationRequest.class, request("\"n\":NaN"));
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(100) + "]".repeat(100);
        ValidationException e = Errors.assertFieldError(
                "",
                () -> Codec.decode(request("\"metadata\":{\"k\":" + deep + "}").getBytes(), GenerationRequest.class));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    }

    @Test
    void oversizedInputIsRefusedBeforeParsing() {
        byte[] big = new byte[Codec.MAX_MESSAGE_BYTES + 1];
        Errors.assertFieldError("", () -> Codec.decode(big, GenerationRequest.class));
    }

    /** Damaged messages (bytes flipped, cut, spliced) must only ever fail as ValidationException. */
    @Test
    void damagedInputOnlyEverFailsAsAValidationException() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<byte[]> seeds = Samples.all().stream().map(Codec::encode).toList();
        String alphabet = "{}[]\":,0-1.5eE\\ntrufalsn\u00e9\u0000 ";
        for (int i = 0; i < 3000; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] damaged = java.util.Arrays.copyOf(seed, seed.length);
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            if (random.nextInt(4) == 0) {
                damaged = java.util.Arrays.copyOf(damaged, random.nextInt(damaged.length));
            }
            MessageType type = MessageType.values()[random.nextInt(MessageType.values().length)];
            try {
                Codec.decode(damaged, type);
            } catch (ValidationException expected) {
                // The only acceptable failure.
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "decoding " + new String(damaged, java.nio.charset.StandardCharsets.UTF_8) + " as " + type
                                + " threw " + e,
                        e);
            }
        }
    }
}
