package dev.sdfleet.pipeline.scheduler;

/**
 * Converts a model output into the predicted clean sample x0 or noise ε for a variance-preserving sample
 * {@code x = α x0 + σ ε} (α² + σ² = 1), as DDIM, PNDM and DPM-Solver++ do, in float32 and in diffusers' order of
 * operations. DDIM and PNDM pass α = sqrt(ᾱ_t), σ = sqrt(1 - ᾱ_t); DPM-Solver passes α = 1/sqrt(σ_i² + 1),
 * σ = σ_i α. With the velocity v = α ε - σ x0:
 *
 * <pre>
 *              x0                  ε
 * epsilon:     (x - σ ε) / α       ε
 * v:           α x - σ v           α v + σ x
 * sample:      x0                  (x - α x0) / σ
 * </pre>
 *
 * (Euler and LMS use σ-scaled samples instead, see {@link DiscreteSigmaScheduler#predictX0}.)
 */
final class Prediction {

    private Prediction() {}

    /** The predicted x0 ({@code pred_original_sample}). */
    static float toX0(PredictionType prediction, float x, float output, float alpha, float sigma) {
        return switch (prediction) {
            case EPSILON -> (x - sigma * output) / alpha;
            case SAMPLE -> output;
            case V_PREDICTION -> alpha * x - sigma * output;
        };
    }

    /** The predicted noise ε ({@code pred_epsilon}). */
    static float toEpsilon(PredictionType prediction, float x, float output, float alpha, float sigma) {
        return switch (prediction) {
            case EPSILON -> output;
            case SAMPLE -> (x - alpha * output) / sigma;
            case V_PREDICTION -> alpha * output + sigma * x;
        };
    }
}
