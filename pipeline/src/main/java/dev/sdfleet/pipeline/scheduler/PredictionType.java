package dev.sdfleet.pipeline.scheduler;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What the UNet predicts ({@code prediction_type} in a diffusers scheduler config). */
public enum PredictionType {
    /** The added noise ε (SD 1.x, SD 2.x base, SDXL). */
    EPSILON("epsilon"),
    /** The velocity v = sqrt(ᾱ) ε - sqrt(1-ᾱ) x0 (SD 2.x 768 px models). */
    V_PREDICTION("v_prediction"),
    /** The denoised sample x0 itself. */
    SAMPLE("sample");

    private final String id;

    PredictionType(String id) {
        this.id = id;
    }

    /** The diffusers spelling, e.g. {@code "v_prediction"}. */
    public String id() {
        return id;
    }

    /**
     * Parses a diffusers spelling ({@code "original_sample"} is read as {@link #SAMPLE}, as diffusers' Euler does).
     *
     * @throws IllegalArgumentException for any other value, listing the accepted ones
     */
    public static PredictionType fromId(String id) {
        if ("original_sample".equals(id)) {
            return SAMPLE;
        }
        for (PredictionType value : values()) {
            if (value.id.equals(id)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown prediction_type '" + id + "', expected one of "
                + Arrays.stream(values()).map(PredictionType::id).collect(Collectors.joining(", ")));
    }
}
