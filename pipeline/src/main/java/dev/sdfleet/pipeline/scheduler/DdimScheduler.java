package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * diffusers {@code DDIMScheduler} (Song et al., "Denoising Diffusion Implicit Models", formula 12), with
 * {@code eta}, {@code set_alpha_to_one}, {@code clip_sample} and dynamic thresholding.
 *
 * <pre>
 * prev_t = t - T // N               (whatever the spacing)
 * x0  = (x - sqrt(1-ᾱ_t) ε) / sqrt(ᾱ_t)
 *       v: x0 = sqrt(ᾱ_t) x - sqrt(1-ᾱ_t) v,  ε = sqrt(ᾱ_t) v + sqrt(1-ᾱ_t) x
 * σ   = eta * sqrt((1-ᾱ_prev)/(1-ᾱ_t) * (1 - ᾱ_t/ᾱ_prev))
 * x'  = sqrt(ᾱ_prev) x0 + sqrt(1 - ᾱ_prev - σ²) ε  (+ σ z)
 * </pre>
 *
 * <p>Not thread-safe; one instance per job.
 */
public final class DdimScheduler extends VariancePreservingScheduler {

    private final TrainingSchedule schedule;
    private final int stepRatio;
    private final float eta;
    private final DynamicThresholding thresholding;
    private float[] noiseBuffer;
    private float[] x0Buffer;

    DdimScheduler(SchedulerConfig config, int numInferenceSteps, double eta) {
        super(config, spacedTimesteps(config, numInferenceSteps));
        this.schedule = new TrainingSchedule(config);
        this.stepRatio = config.numTrainTimesteps() / numInferenceSteps;
        this.eta = (float) eta; // eta * variance ** 0.5: a Python float times a float32 tensor
        this.thresholding = DynamicThresholding.of(config);
    }

    private static int[] spacedTimesteps(SchedulerConfig config, int numInferenceSteps) {
        int t = config.numTrainTimesteps();
        double[] spaced = Spacing.descending(config.timestepSpacing(), t, numInferenceSteps, config.stepsOffset());
        int[] timesteps = Spacing.toIntegral(spaced);
        for (int timestep : timesteps) {
            if (timestep < 0 || timestep >= t) {
                throw new IllegalArgumentException("DDIM timestep " + timestep + " (steps_offset "
                        + config.stepsOffset() + ", " + numInferenceSteps + " steps) is outside 0.." + (t - 1));
            }
        }
        return timesteps;
    }

    /**
     * Sets how many images the latents hold (default 1); only dynamic thresholding, which takes a quantile per
     * image, depends on it.
     */
    public void setBatchSize(int batchSize) {
        if (thresholding != null) {
            thresholding.setBatchSize(batchSize);
        }
    }

    /** diffusers {@code _get_variance(t, prev_t)}: {@code (1-ᾱ_prev)/(1-ᾱ_t) * (1 - ᾱ_t/ᾱ_prev)} in float32. */
    float variance(int timestep, int prevTimestep) {
        float alphaProdT = schedule.alphaCumprod(timestep);
        float alphaProdTPrev = schedule.alphaProdAt(prevTimestep);
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;
        return (betaProdTPrev / betaProdT) * (1f - alphaProdT / alphaProdTPrev);
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        if (eta > 0 && noise == null) {
            throw new IllegalArgumentException("DDIM with eta > 0 needs a noise source");
        }
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        int t = timesteps[stepIndex];
        int prevT = t - stepRatio;
        float alphaProdT = schedule.alphaCumprod(t);
        float alphaProdTPrev = schedule.alphaProdAt(prevT);
        float betaProdT = 1f - alphaProdT;
        float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
        float sqrtBetaProdT = (float) Math.sqrt(betaProdT);
        float stdDevT = eta * (float) Math.sqrt(variance(t, prevT));
        float directionCoeff = (float) Math.sqrt(1f - alphaProdTPrev - stdDevT * stdDevT);
        float sqrtAlphaProdTPrev = (float) Math.sqrt(alphaProdTPrev);
        float clip = (float) config.clipSampleRange();
        boolean clipSample = config.clipSample();
        PredictionType prediction = config.predictionType();
        int n = sample.length;

        if (thresholding != null) {
            // the quantile needs every x0 of an image before the update: two passes
            if (x0Buffer == null) {
                x0Buffer = new float[n];
            }
            for (int i = 0; i < n; i++) {
                x0Buffer[i] = Prediction.toX0(prediction, sample[i], modelOutput[i], sqrtAlphaProdT, sqrtBetaProdT);
            }
            thresholding.apply(x0Buffer);
        }
        float[] z = null;
        if (eta > 0) {
            if (noiseBuffer == null) {
                noiseBuffer = new float[n];
            }
            noise.fill(noiseBuffer, 0, n);
            z = noiseBuffer;
        }
        for (int i = 0; i < n; i++) {
            float x = sample[i];
            float output = modelOutput[i];
            float x0 = thresholding != null
                    ? x0Buffer[i]
                    : Prediction.toX0(prediction, x, output, sqrtAlphaProdT, sqrtBetaProdT);
            float eps = Prediction.toEpsilon(prediction, x, output, sqrtAlphaProdT, sqrtBetaProdT);
            if (thresholding == null && clipSample) {
                x0 = Math.min(Math.max(x0, -clip), clip);
            }
            float prev = sqrtAlphaProdTPrev * x0 + directionCoeff * eps;
            if (z != null) {
                prev = prev + stdDevT * z[i];
            }
            sample[i] = prev;
        }
        sequence.end(stepIndex);
    }

    @Override
    public void addNoise(float[] originalSamples, float[] noise, int stepIndex, float[] out) {
        sequence.checkIndex(stepIndex, timesteps.length);
        AddNoise.variancePreserving(schedule.alphaCumprod(timesteps[stepIndex]), originalSamples, noise, out);
    }
}
