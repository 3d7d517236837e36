package dev.sdfleet.pipeline.scheduler;

/**
 * The training noise schedule shared by every scheduler: betas, ᾱ = cumprod(1 - β) and σ = sqrt((1 - ᾱ) / ᾱ), in
 * float32 exactly as torch computes them in the schedulers' constructors.
 */
final class TrainingSchedule {

    /** Lanes of torch's {@code Vectorized<float>} on AVX2 CPUs, which decides how torch.linspace rounds. */
    private static final int TORCH_VECTOR_LANES = 8;

    private final float[] alphasCumprod;
    private final float[] sigmas;
    /** ᾱ before the first training step: 1 with {@code set_alpha_to_one}, else ᾱ_0 (DDIM/PNDM). */
    private final float finalAlphaCumprod;

    TrainingSchedule(SchedulerConfig config) {
        int t = config.numTrainTimesteps();
        float[] betas;
        if (config.trainedBetas() != null) {
            betas = config.trainedBetas();
        } else {
            betas = switch (config.betaSchedule()) {
                case LINEAR -> torchLinspace(config.betaStart(), config.betaEnd(), t);
                case SCALED_LINEAR ->
                    square(torchLinspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), t));
                case SQUAREDCOS_CAP_V2 -> betasForAlphaBar(t);
            };
        }
        alphasCumprod = new float[t];
        // torch.cumprod on the CPU accumulates in double (acc_type<float> is double) and stores floats
        double product = 1.0;
        for (int i = 0; i < t; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = (float) product;
        }
        sigmas = new float[t];
        for (int i = 0; i < t; i++) {
            sigmas[i] = sigmaOf(alphasCumprod[i]);
        }
        finalAlphaCumprod = config.setAlphaToOne() ? 1f : alphasCumprod[0];
    }

    /** ᾱ_t (float32). */
    float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /**
     * DDIM/PNDM's ᾱ lookup for a previous timestep: {@code alphas_cumprod[t] if t >= 0 else final_alpha_cumprod}
     * (the step past the first training step leads to ᾱ = 1 with {@code set_alpha_to_one}, else to ᾱ_0).
     */
    float alphaProdAt(int t) {
        return t >= 0 ? alphasCumprod[t] : finalAlphaCumprod;
    }

    /** σ_t = sqrt((1 - ᾱ_t) / ᾱ_t) (float32), increasing with t. */
    float sigma(int t) {
        return sigmas[t];
    }

    /** The σ table (a copy), index = training timestep. */
    float[] sigmas() {
        return sigmas.clone();
    }

    int size() {
        return alphasCumprod.length;
    }

    /** {@code ((1 - ᾱ) / ᾱ) ** 0.5} in float32. */
    static float sigmaOf(float alphaCumprod) {
        return (float) Math.sqrt((1f - alphaCumprod) / alphaCumprod);
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} bit for bit as torch 1.13's AVX2 CPU kernel computes it:
     * the first half counts up from {@code start}, the second half down from {@code end}; each vector of 8 lanes is
     * {@code base + k*step} from a base computed like the scalar elements, and the compiler fuses the scalar
     * {@code start + step*i} into an FMA but not the lane arithmetic. (Checked against torch for the beta tables used
     * here; the rounding of a few entries may differ by one ulp with other builds.)
     */
    static float[] torchLinspace(double startValue, double endValue, int steps) {
        float start = (float) startValue;
        float end = (float) endValue;
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int i = 0;
        for (; i <= steps - 2 * TORCH_VECTOR_LANES; i += 2 * TORCH_VECTOR_LANES) {
            for (int lane0 = i; lane0 < i + 2 * TORCH_VECTOR_LANES; lane0 += TORCH_VECTOR_LANES) {
                float base = linspaceElement(start, end, step, steps, lane0);
                out[lane0] = base;
                for (int k = 1; k < TORCH_VECTOR_LANES; k++) {
                    out[lane0 + k] = base + (float) k * step;
                }
            }
        }
        for (; i < steps; i++) {
            out[i] = linspaceElement(start, end, step, steps, i);
        }
        return out;
    }

    private static float linspaceElement(float start, float end, float step, int steps, int index) {
        return index < steps / 2
                ? Math.fma(step, (float) index, start)
                : Math.fma(-step, (float) (steps - index - 1), end);
    }

    private static float[] square(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * values[i]; // torch's pow(x, 2) is x * x
        }
        return values;
    }

    /** diffusers {@code betas_for_alpha_bar} (cosine, max β 0.999), in Python floats, then cast to float32. */
    private static float[] betasForAlphaBar(int t) {
        float[] result = new float[t];
        for (int i = 0; i < t; i++) {
            double t1 = (double) i / t;
            double t2 = (double) (i + 1) / t;
            result[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return result;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
