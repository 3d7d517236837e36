package dev.sdfleet.bench.dispatcher;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Malformed and hostile request bodies: byte flips and truncations of a valid body, wrong JSON types and extreme
 * values per field, unknown fields, deep nesting, invalid UTF-8, oversized bodies and non-JSON. Seeded, so a run can
 * be repeated.
 */
public final class Fuzz {
    public static final String VALID = "{\"prompt\":\"a red circle\",\"model\":\"tiny-sd\",\"n\":2,\"width\":512,"
            + "\"height\":512,\"steps\":20,\"guidance\":3.0,\"seed\":7,\"priority\":\"low\",\"scheduler\":\"ddim\","
            + "\"metadata\":{\"k\":\"v\"}}";
    private static final List<String> FIELDS = List.of(
            "prompt",
            "model",
            "n",
            "width",
            "height",
            "steps",
            "guidance",
            "seed",
            "priority",
            "scheduler",
            "metadata",
            "webhook",
            "deadline",
            "negative_prompt",
            "output_format",
            "request_id",
            "tenant",
            "schema_version",
            "unknown");
    private static final List<String> VALUES = List.of(
            "null",
            "true",
            "-1",
            "0",
            "1e308",
            "-1e308",
            "4294967296",
            "99999999999999999999999999",
            "1.5",
            "\"\"",
            "\" \"",
            "\"x\"",
            "[]",
            "{}",
            "[1,2]",
            "{\"a\":1}",
            "\"\\u0000\"",
            "\"../../etc\"",
            "\"http://10.0.0.1/\"",
            "\"2026-13-45T99:00:00Z\"",
            "NaN",
            "\"\\ud800\"",
            "\"" + "a".repeat(5000) + "\"",
            "{\"url\":\"ftp://x\"}",
            "{\"url\":\"http://[::1]/\",\"events\":[]}");
    private final Random random;

    public Fuzz(long seed) {
        random = new Random(seed);
    }

    public byte[] next() {
        return switch (random.nextInt(9)) {
            case 0 -> flipBytes();
            case 1 -> truncate();
            case 2, 3 -> replaceField();
            case 4 -> addField();
            case 5 -> deepNesting();
            case 6 -> invalidUtf8();
            case 7 -> randomBytes();
            default -> oddDocument();
        };
    }

    private byte[] flipBytes() {
        byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
        for (int i = 0, flips = 1 + random.nextInt(4); i < flips; i++) {
            body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
        return body;
    }

    private byte[] truncate() {
        return VALID.substring(0, random.nextInt(VALID.length())).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] replaceField() {
        String field = FIELDS.get(random.nextInt(FIELDS.size()));
        String value = VALUES.get(random.nextInt(VALUES.size()));
        String body = VALID.replaceFirst(
                "\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}|[^,}]*)",
                "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value));
        if (body.equals(VALID)) {
            body = VALID.substring(0, VALID.length() - 1) + ",\"" + field + "\":" + value + "}";
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] addField() {
        return (VALID.substring(0, VALID.length() - 1) + ",\"prompt\":\"duplicate\"}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] deepNesting() {
        int depth = 10 + random.nextInt(5000);
        return ("{\"prompt\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] invalidUtf8() {
        byte[] head = "{\"prompt\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 4];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC3;
        body[head.length + 1] = (byte) 0x28;
        body[head.length + 2] = '"';
        body[head.length + 3] = '}';
        return body;
    }

    private byte[] randomBytes() {
        byte[] body = new byte[random.nextInt(200)];
        random.nextBytes(body);
        return body;
    }

    private byte[] oddDocument() {
        return switch (random.nextInt(6)) {
            case 0 -> "[]".getBytes(StandardCharsets.UTF_8);
            case 1 -> "null".getBytes(StandardCharsets.UTF_8);
            case 2 -> "\"just a string\"".getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"prompt\":\"" + "b".repeat(70_000) + "\",\"model\":\"m\"}").getBytes(StandardCharsets.UTF_8);
            case 4 -> (VALID + VALID).getBytes(StandardCharsets.UTF_8);
            default -> new byte[0];
        };
    }
}
