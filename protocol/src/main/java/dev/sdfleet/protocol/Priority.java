package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How urgently a request wants a GPU. Three levels rather than an integer 0..9: Kafka has no priority queue, so the
 * dispatcher can only honour a priority by keeping one queue (or topic, or paused partition set) per level, and
 * three levels are what it can keep apart and what a metric label can carry. JSON: {@code "low"}, {@code "normal"},
 * {@code "high"}.
 */
public enum Priority {
    LOW("low"),
    NORMAL("normal"),
    HIGH("high");

    private final String id;

    Priority(String id) {
        this.id = id;
    }

    /** The JSON name. */
    @JsonValue
    public String id() {
        return id;
    }
}
