package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * diffusers {@code EulerAncestralDiscreteScheduler} (k-diffusion {@code sample_euler_ancestral}): an Euler step down
 * to σ_down, then fresh noise of scale σ_up, with σ_down² + σ_up² = σ_{i+1}².
 *
 * <pre>
 * σ_up = sqrt(σ_{i+1}² (σ_i² - σ_{i+1}²) / σ_i²) ;  σ_down = sqrt(σ_{i+1}² - σ_up²)
 * x' = x + (x - x0)/σ_i (σ_down - σ_i) + z σ_up        z ~ N(0, 1): one tensor per step, also on the last step
 * </pre>
 *
 * <p>Not thread-safe; one instance per job.
 */
public final class EulerAncestralDiscreteScheduler extends DiscreteSigmaScheduler {

    private float[] noiseBuffer;

    EulerAncestralDiscreteScheduler(SchedulerConfig config, int numInferenceSteps) {
        super(config, numInferenceSteps, false, false);
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new IllegalArgumentException(
                    "EulerAncestralDiscreteScheduler supports prediction_type epsilon or v_prediction only");
        }
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        if (noise == null) {
            throw new IllegalArgumentException("EulerAncestralDiscreteScheduler needs a noise source");
        }
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        int n = sample.length;
        if (noiseBuffer == null) {
            noiseBuffer = new float[n];
        }
        float sigmaFrom = sigmas[stepIndex];
        float sigmaTo = sigmas[stepIndex + 1];
        float sigmaToSquared = sigmaTo * sigmaTo;
        float sigmaUp =
                (float) Math.sqrt(sigmaToSquared * (sigmaFrom * sigmaFrom - sigmaToSquared) / (sigmaFrom * sigmaFrom));
        float sigmaDown = (float) Math.sqrt(sigmaToSquared - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigmaFrom;
        float cOut = cOut(sigmaFrom);
        float cSkipDenominator = sigmaFrom * sigmaFrom + 1f;
        PredictionType prediction = config.predictionType();
        // diffusers draws the noise after the deterministic part; drawing first changes nothing but the order here
        noise.fill(noiseBuffer, 0, n);
        for (int i = 0; i < n; i++) {
            float x = sample[i];
            float x0 = predictX0(prediction, x, modelOutput[i], sigmaFrom, cOut, cSkipDenominator);
            float derivative = (x - x0) / sigmaFrom;
            float prev = x + derivative * dt;
            sample[i] = prev + noiseBuffer[i] * sigmaUp;
        }
        sequence.end(stepIndex);
    }
}
