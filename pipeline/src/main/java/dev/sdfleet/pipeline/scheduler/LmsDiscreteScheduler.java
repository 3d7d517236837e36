package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * diffusers {@code LMSDiscreteScheduler}: linear multistep (order 4) on the ODE derivatives d = (x - x0)/σ.
 *
 * <pre>
 * o = min(i + 1, 4);  c_j = ∫_{σ_i}^{σ_{i+1}} Π_{k&lt;o, k≠j} (τ - σ_{i-k}) / (σ_{i-j} - σ_{i-k}) dτ
 * x' = x + Σ_j c_j d_{i-j}          (over the derivatives kept so far, newest first)
 * </pre>
 *
 * <p>diffusers integrates the Lagrange basis polynomial with {@code scipy.integrate.quad(epsrel=1e-4)}; the
 * polynomial has degree at most 3, so the two-point Gauss–Legendre rule used here is exact. The coefficients depend
 * only on the step index and are computed once. As in diffusers, the order comes from the step index while the sum
 * runs over the derivatives collected since the first step taken (fewer when starting mid-schedule, img2img).
 *
 * <p>Not thread-safe; one instance per job.
 */
public final class LmsDiscreteScheduler extends DiscreteSigmaScheduler {

    private static final int ORDER = 4;
    private static final double GAUSS_NODE = 1.0 / Math.sqrt(3.0);

    /** coefficients[i][j]: weight of the j-th newest derivative at step i, as float32 (torch casts the scalar). */
    private final float[][] coefficients;

    private History derivatives;

    LmsDiscreteScheduler(SchedulerConfig config, int numInferenceSteps) {
        super(config, numInferenceSteps, config.useKarrasSigmas(), false);
        coefficients = new float[timesteps.length][];
        for (int i = 0; i < timesteps.length; i++) {
            int order = Math.min(i + 1, ORDER);
            coefficients[i] = new float[order];
            for (int j = 0; j < order; j++) {
                coefficients[i][j] = (float) lmsCoefficient(order, i, j);
            }
        }
    }

    /** diffusers {@code get_lms_coefficient(order, t, current_order)}, integrated exactly. */
    private double lmsCoefficient(int order, int t, int currentOrder) {
        double a = sigmas[t];
        double b = sigmas[t + 1];
        double mid = (a + b) / 2;
        double half = (b - a) / 2;
        return half
                * (lagrangeBasis(order, t, currentOrder, mid - half * GAUSS_NODE)
                        + lagrangeBasis(order, t, currentOrder, mid + half * GAUSS_NODE));
    }

    private double lagrangeBasis(int order, int t, int currentOrder, double tau) {
        double product = 1.0;
        for (int k = 0; k < order; k++) {
            if (k != currentOrder) {
                product *= (tau - sigmas[t - k]) / ((double) sigmas[t - currentOrder] - sigmas[t - k]);
            }
        }
        return product;
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        int n = sample.length;
        if (derivatives == null) {
            derivatives = new History(ORDER, n);
        }
        float sigma = sigmas[stepIndex];
        float cOut = cOut(sigma);
        float cSkipDenominator = sigma * sigma + 1f;
        PredictionType prediction = config.predictionType();

        // append the new derivative, keeping the last ORDER (diffusers pops the oldest)
        float[] newest = derivatives.append();
        for (int i = 0; i < n; i++) {
            float x = sample[i];
            float x0 = predictX0(prediction, x, modelOutput[i], sigma, cOut, cSkipDenominator);
            newest[i] = (x - x0) / sigma;
        }

        float[] coefficient = coefficients[stepIndex];
        int terms = Math.min(coefficient.length, derivatives.size()); // zip(lms_coeffs, reversed(derivatives))
        for (int i = 0; i < n; i++) {
            float sum = coefficient[0] * derivatives.newest(1)[i];
            for (int j = 1; j < terms; j++) {
                sum = sum + coefficient[j] * derivatives.newest(j + 1)[i];
            }
            sample[i] = sample[i] + sum;
        }
        sequence.end(stepIndex);
    }
}
