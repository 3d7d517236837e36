package dev.sdfleet.pipeline.scheduler;

/**
 * What diffusers' DDIM, PNDM and DPM-Solver schedulers share: integral timesteps and variance-preserving latents
 * {@code x = α x0 + σ ε} (α² + σ² = 1), so {@code init_noise_sigma} is 1 and the UNet input is the sample itself.
 */
abstract sealed class VariancePreservingScheduler implements Scheduler
        permits DdimScheduler, PndmScheduler, DpmSolverMultistepScheduler {

    final SchedulerConfig config;
    /** The training timesteps the UNet is called with, in order. */
    final int[] timesteps;

    final StepSequence sequence = new StepSequence();

    VariancePreservingScheduler(SchedulerConfig config, int[] timesteps) {
        this.config = config;
        this.timesteps = timesteps;
    }

    @Override
    public final float[] timesteps() {
        return Spacing.toFloat(timesteps);
    }

    @Override
    public final float initNoiseSigma() {
        return 1f;
    }

    @Override
    public final void scaleModelInput(float[] sample, int stepIndex) {
        sequence.checkIndex(stepIndex, timesteps.length);
    }

    @Override
    public final int order() {
        return 1;
    }
}
