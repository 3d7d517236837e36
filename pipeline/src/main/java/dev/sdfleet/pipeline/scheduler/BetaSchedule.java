package dev.sdfleet.pipeline.scheduler;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the training betas are laid out ({@code beta_schedule} in a diffusers scheduler config). */
public enum BetaSchedule {
    /** {@code torch.linspace(beta_start, beta_end, T, float32)}. */
    LINEAR("linear"),
    /** {@code torch.linspace(sqrt(beta_start), sqrt(beta_end), T, float32) ** 2}, the latent-diffusion schedule. */
    SCALED_LINEAR("scaled_linear"),
    /** The Glide cosine schedule ({@code betas_for_alpha_bar}, max beta 0.999). */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String id;

    BetaSchedule(String id) {
        this.id = id;
    }

    /** The diffusers spelling, e.g. {@code "scaled_linear"}. */
    public String id() {
        return id;
    }

    /**
     * Parses a diffusers spelling.
     *
     * @throws IllegalArgumentException for any other value, listing the accepted ones
     */
    public static BetaSchedule fromId(String id) {
        for (BetaSchedule value : values()) {
            if (value.id.equals(id)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown beta_schedule '" + id + "', expected one of "
                + Arrays.stream(values()).map(BetaSchedule::id).collect(Collectors.joining(", ")));
    }
}
