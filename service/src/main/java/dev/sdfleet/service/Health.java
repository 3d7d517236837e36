package dev.sdfleet.service;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A health answer, the same in every service: {@code {"status":"UP"}} or {@code {"status":"DOWN"}} (HTTP 200 or 503),
 * then the service's details in order (strings, numbers, booleans).
 *
 * @param up whether the probe passes
 * @param details what led to the answer, shown after the status
 */
public record Health(boolean up, Map<String, Object> details) {
    public Health {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** Up, with no details: a liveness answer. */
    public static final Health UP = new Health(true, Map.of());

    public static Health of(boolean up) {
        return new Health(up, Map.of());
    }

    /** A copy with one more detail. */
    public Health with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(name, value);
        return new Health(up, more);
    }

    /** 200 when up, 503 when down. */
    public int httpStatus() {
        return up ? 200 : 503;
    }

    /** The answer's body. */
    public String toJson() {
        StringBuilder json =
                new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN").append('"');
        details.forEach((name, value) -> {
            json.append(",\"").append(escape(name)).append("\":");
            if (value instanceof Number || value instanceof Boolean) {
                json.append(value);
            } else {
                json.append('"').append(escape(String.valueOf(value))).append('"');
            }
        });
        return json.append('}').toString();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
