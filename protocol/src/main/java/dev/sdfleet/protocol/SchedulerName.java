package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The denoising schedulers a request may ask for: their wire names. Only the canonical names are on the wire (no
 * aliases, no case folding), so every consumer and the JSON Schema agree on one spelling. A worker maps each name onto
 * the pipeline's own scheduler kind (whose short id is the same spelling), and tests that every name has one.
 */
public enum SchedulerName {
    PNDM("pndm"),
    DDIM("ddim"),
    EULER("euler"),
    EULER_ANCESTRAL("euler_a"),
    LMS("lms"),
    DPMPP_2M("dpmpp_2m"),
    DPMPP_2M_KARRAS("dpmpp_2m_karras");

    private final String id;

    SchedulerName(String id) {
        this.id = id;
    }

    /** The JSON name, e.g. {@code "euler_a"}. */
    @JsonValue
    public String id() {
        return id;
    }
}
