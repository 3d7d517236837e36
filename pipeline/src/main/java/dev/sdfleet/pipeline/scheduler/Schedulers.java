package dev.sdfleet.pipeline.scheduler;

import java.util.Objects;

/** Creates schedulers: the equivalent of {@code Class.from_config(config)} followed by {@code set_timesteps(N)}. */
public final class Schedulers {

    private Schedulers() {}

    /**
     * Creates a scheduler of {@code kind} for one job.
     *
     * <p>If the config belongs to another class (for example the SD 1.5 {@code PNDMScheduler} config and kind
     * {@code euler}), it is first switched with {@link SchedulerConfig#withClass(String)}, so keys the JSON did not
     * set take the new class's defaults, as in diffusers. {@link SchedulerKind#DPM_SOLVER_MULTISTEP_KARRAS} sets
     * {@code use_karras_sigmas}.
     *
     * @param numInferenceSteps N, between 1 and {@code num_train_timesteps}
     * @param eta DDIM's stochasticity η &gt;= 0 (0: deterministic DDIM); ignored by the other kinds
     * @throws IllegalArgumentException for an invalid step count or eta, or a config option this library does not
     *     implement
     */
    public static Scheduler create(SchedulerKind kind, SchedulerConfig config, int numInferenceSteps, double eta) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(config, "config");
        SchedulerConfig resolved =
                config.className().equals(kind.className()) ? config : config.withClass(kind.className());
        if (kind.forcesKarrasSigmas() && !resolved.useKarrasSigmas()) {
            resolved = resolved.with("use_karras_sigmas", true);
        }
        resolved.requireSupported();
        int maxSteps = resolved.numTrainTimesteps();
        if (numInferenceSteps < 1 || numInferenceSteps > maxSteps) {
            throw new IllegalArgumentException("number of inference steps must be between 1 and num_train_timesteps ("
                    + maxSteps + "), got " + numInferenceSteps);
        }
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
        }
        return switch (kind) {
            case PNDM -> new PndmScheduler(resolved, numInferenceSteps);
            case DDIM -> new DdimScheduler(resolved, numInferenceSteps, eta);
            case EULER -> new EulerDiscreteScheduler(resolved, numInferenceSteps);
            case EULER_ANCESTRAL -> new EulerAncestralDiscreteScheduler(resolved, numInferenceSteps);
            case LMS -> new LmsDiscreteScheduler(resolved, numInferenceSteps);
            case DPM_SOLVER_MULTISTEP, DPM_SOLVER_MULTISTEP_KARRAS ->
                new DpmSolverMultistepScheduler(resolved, numInferenceSteps, resolved.useKarrasSigmas());
        };
    }

    /** {@link #create(SchedulerKind, SchedulerConfig, int, double)} with the kind named by the config's class. */
    public static Scheduler create(SchedulerConfig config, int numInferenceSteps, double eta) {
        return create(SchedulerKind.parse(config.className()), config, numInferenceSteps, eta);
    }
}
