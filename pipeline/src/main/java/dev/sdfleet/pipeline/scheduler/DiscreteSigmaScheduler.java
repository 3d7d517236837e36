package dev.sdfleet.pipeline.scheduler;

/**
 * What diffusers' Euler, Euler ancestral and LMS schedulers share: float timesteps with one σ per step (plus the
 * final σ), {@code init_noise_sigma}, input scaling {@code x / sqrt(σ² + 1)} and {@code add_noise = x0 + σ noise}.
 */
abstract sealed class DiscreteSigmaScheduler implements Scheduler
        permits EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, LmsDiscreteScheduler {

    final SchedulerConfig config;
    final TrainingSchedule schedule;
    final float[] timesteps;
    /** N + 1 sigmas: one per step and the final one (0 or σ_min). */
    final float[] sigmas;

    final StepSequence sequence = new StepSequence();
    private final float initNoiseSigma;

    DiscreteSigmaScheduler(SchedulerConfig config, int numInferenceSteps, boolean karras, boolean finalSigmaMin) {
        this.config = config;
        this.schedule = new TrainingSchedule(config);
        int t = config.numTrainTimesteps();
        double[] spaced = Spacing.descending(config.timestepSpacing(), t, numInferenceSteps, config.stepsOffset());
        int n = spaced.length;
        float[] steps = new float[n];
        for (int i = 0; i < n; i++) {
            // np.linspace(..., dtype=float32); leading/trailing: astype(float32) before +offset / -1 (exact)
            steps[i] = (float) spaced[i];
        }
        float[] trainSigmas = schedule.sigmas();
        double[] stepSigmas = new double[n];
        for (int i = 0; i < n; i++) {
            stepSigmas[i] = Numpy.interp(steps[i], trainSigmas); // np.interp of the float32 timesteps
        }
        if (karras) {
            // σ range of the spacing-interpolated sigmas (not of the whole training range, unlike DPM-Solver)
            stepSigmas = Numpy.karrasSigmas(stepSigmas[n - 1], stepSigmas[0], n);
            float[] logSigmas = Numpy.logOf(trainSigmas);
            for (int i = 0; i < n; i++) {
                steps[i] = (float) Numpy.sigmaToT(stepSigmas[i], logSigmas);
            }
        }
        this.timesteps = steps;
        this.sigmas = new float[n + 1];
        float max = 0f;
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) stepSigmas[i];
            max = Math.max(max, sigmas[i]);
        }
        sigmas[n] = finalSigmaMin ? TrainingSchedule.sigmaOf(schedule.alphaCumprod(0)) : 0f;
        max = Math.max(max, sigmas[n]);
        // diffusers: σ_max for linspace/trailing, sqrt(σ_max² + 1) otherwise ("leading", e.g. the SDXL config)
        this.initNoiseSigma =
                config.timestepSpacing() == TimestepSpacing.LEADING ? (float) Math.sqrt(max * max + 1f) : max;
    }

    @Override
    public final float[] timesteps() {
        return timesteps.clone();
    }

    /** The N + 1 sigmas of this schedule (a copy). */
    public final float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public final float initNoiseSigma() {
        return initNoiseSigma;
    }

    @Override
    public final void scaleModelInput(float[] sample, int stepIndex) {
        sequence.checkIndex(stepIndex, timesteps.length);
        float sigma = sigmas[stepIndex];
        float denominator = (float) Math.sqrt(sigma * sigma + 1f);
        for (int i = 0; i < sample.length; i++) {
            sample[i] = sample[i] / denominator;
        }
    }

    @Override
    public final void addNoise(float[] originalSamples, float[] noise, int stepIndex, float[] out) {
        sequence.checkIndex(stepIndex, timesteps.length);
        AddNoise.varianceExploding(sigmas[stepIndex], originalSamples, noise, out);
    }

    @Override
    public final int order() {
        return 1;
    }

    /**
     * The denoised estimate from σ-scaled model output: ε: {@code x - σ ε}; v (k-diffusion's c_out/c_skip):
     * {@code v * (-σ / sqrt(σ²+1)) + x / (σ²+1)}; sample: the output itself.
     */
    static float predictX0(
            PredictionType prediction, float x, float output, float sigma, float cOut, float cSkipDenominator) {
        return switch (prediction) {
            case EPSILON -> x - sigma * output;
            case V_PREDICTION -> output * cOut + x / cSkipDenominator;
            case SAMPLE -> output;
        };
    }

    /** {@code -σ / (σ² + 1) ** 0.5} in float32. */
    static float cOut(float sigma) {
        return -sigma / (float) Math.sqrt(sigma * sigma + 1f);
    }
}
