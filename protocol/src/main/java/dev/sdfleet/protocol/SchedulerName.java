package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The denoising schedulers a request may ask for, by the short names the pipeline's {@code SchedulerKind.parse}
 * accepts. Only the canonical names are on the wire (no aliases, no case folding), so every consumer and the JSON
 * Schema agree on one spelling.
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
