package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * diffusers {@code EulerDiscreteScheduler}: Euler's method on the probability-flow ODE in σ (Karras et al. 2022,
 * Algorithm 2 with s_churn = 0), optionally with Karras sigmas ({@code use_karras_sigmas}, fractional timesteps).
 *
 * <pre>
 * x0 = x - σ_i ε ;  d = (x - x0) / σ_i ;  x' = x + d (σ_{i+1} - σ_i)
 * </pre>
 *
 * <p>Deterministic: the noise source is not used. Not thread-safe; one instance per job.
 */
public final class EulerDiscreteScheduler extends DiscreteSigmaScheduler {

    EulerDiscreteScheduler(SchedulerConfig config, int numInferenceSteps) {
        super(config, numInferenceSteps, config.useKarrasSigmas(), "sigma_min".equals(config.finalSigmasType()));
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        float sigma = sigmas[stepIndex];
        float dt = sigmas[stepIndex + 1] - sigma;
        float cOut = cOut(sigma);
        float cSkipDenominator = sigma * sigma + 1f;
        PredictionType prediction = config.predictionType();
        for (int i = 0; i < sample.length; i++) {
            float x = sample[i];
            float x0 = predictX0(prediction, x, modelOutput[i], sigma, cOut, cSkipDenominator);
            float derivative = (x - x0) / sigma;
            sample[i] = x + derivative * dt;
        }
        sequence.end(stepIndex);
    }
}
