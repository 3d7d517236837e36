package dev.sdfleet.pipeline.scheduler;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How inference timesteps are picked from the training range ({@code timestep_spacing}; Table 2 of "Common Diffusion
 * Noise Schedules and Sample Steps are Flawed", arXiv 2305.08891).
 */
public enum TimestepSpacing {
    /** Evenly spaced from T-1 down to 0 (endpoints included). */
    LINSPACE("linspace"),
    /** Multiples of {@code T // N} plus {@code steps_offset} (SD 1.x configs). */
    LEADING("leading"),
    /** {@code round(arange(T, 0, -T/N)) - 1}: always starts at T-1. */
    TRAILING("trailing");

    private final String id;

    TimestepSpacing(String id) {
        this.id = id;
    }

    /** The diffusers spelling, e.g. {@code "leading"}. */
    public String id() {
        return id;
    }

    /**
     * Parses a diffusers spelling.
     *
     * @throws IllegalArgumentException for any other value, listing the accepted ones
     */
    public static TimestepSpacing fromId(String id) {
        for (TimestepSpacing value : values()) {
            if (value.id.equals(id)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown timestep_spacing '" + id + "', expected one of "
                + Arrays.stream(values()).map(TimestepSpacing::id).collect(Collectors.joining(", ")));
    }
}
