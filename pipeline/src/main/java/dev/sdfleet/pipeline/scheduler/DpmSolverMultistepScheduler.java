package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * diffusers {@code DPMSolverMultistepScheduler} with {@code algorithm_type = "dpmsolver++"} (Lu et al.,
 * "DPM-Solver++", arXiv 2211.01095): multistep solver of order 1–3 on the data prediction x0, midpoint or Heun
 * second-order update, Karras sigmas or uniform log-SNR (Lu) spacing, dynamic thresholding. "DPM++ 2M" is order 2
 * with midpoint; "DPM++ 2M Karras" adds Karras sigmas.
 *
 * <p>In VP terms, with α(σ) = 1/sqrt(σ²+1), s(σ) = σ α(σ), λ = log α - log s, h = λ_{i+1} - λ_i:
 * <pre>
 * x0_i = (x - s_i ε) / α_i                                   v: x0_i = α_i x - s_i v
 * 1st order:  x' = (s_{i+1}/s_i) x - α_{i+1} (e^-h - 1) x0_i
 * 2nd order (midpoint): r0 = (λ_i - λ_{i-1}) / h ; D1 = (x0_i - x0_{i-1}) / r0
 *             x' = (s_{i+1}/s_i) x - α_{i+1} (e^-h - 1) x0_i - ½ α_{i+1} (e^-h - 1) D1
 * </pre>
 * The first step is first order, and so is the last one when {@code final_sigmas_type = "zero"} (σ = 0 gives
 * x' = x0), with {@code euler_at_final}, or with {@code lower_order_final} and fewer than 15 steps.
 *
 * <p>Like diffusers, the order warm-up counts the steps taken, whatever the first index (img2img).
 * Not thread-safe; one instance per job.
 */
public final class DpmSolverMultistepScheduler extends VariancePreservingScheduler {

    /** N + 1 sigmas (float32): one per step and the final one. */
    private final float[] sigmas;

    private final DynamicThresholding thresholding;

    /** Converted model outputs x0, oldest first (diffusers {@code model_outputs}); rotated, never reallocated. */
    private float[][] modelOutputs;

    private int lowerOrderNums;

    DpmSolverMultistepScheduler(SchedulerConfig config, int numInferenceSteps, boolean karras) {
        this(config, stepSchedule(config, numInferenceSteps, karras));
    }

    private DpmSolverMultistepScheduler(SchedulerConfig config, StepSchedule stepSchedule) {
        super(config, stepSchedule.timesteps());
        this.sigmas = stepSchedule.sigmas();
        this.thresholding = DynamicThresholding.of(config);
    }

    /** The timesteps and their N + 1 sigmas. */
    private record StepSchedule(int[] timesteps, float[] sigmas) {}

    /** diffusers {@code set_timesteps}. */
    private static StepSchedule stepSchedule(SchedulerConfig config, int numInferenceSteps, boolean karras) {
        TrainingSchedule schedule = new TrainingSchedule(config);
        int t = config.numTrainTimesteps();
        int lastTimestep = t - clippedIndex(schedule, config.lambdaMinClipped());
        double[] spaced = switch (config.timestepSpacing()) {
            // DPM-Solver spaces N+1 points and drops the last (0)
            case LINSPACE ->
                dropLast(Numpy.reverse(Numpy.round(Numpy.linspace(0, lastTimestep - 1, numInferenceSteps + 1))));
            case LEADING -> {
                int ratio = lastTimestep / (numInferenceSteps + 1);
                double[] leading = new double[numInferenceSteps];
                for (int k = 0; k < numInferenceSteps; k++) {
                    leading[k] = (double) (numInferenceSteps - k) * ratio + config.stepsOffset();
                }
                yield leading;
            }
            case TRAILING -> Spacing.trailing(lastTimestep, t, numInferenceSteps);
        };
        float[] trainSigmas = schedule.sigmas();
        double[] stepSigmas;
        int[] steps;
        if (karras || config.useLuLambdas()) {
            // the whole training range, whatever the spacing (unlike Euler/LMS)
            int n = numInferenceSteps;
            if (karras) {
                stepSigmas = Numpy.karrasSigmas(trainSigmas[0], trainSigmas[t - 1], n);
            } else {
                // uniform in log σ from log σ_max to log σ_min (diffusers _convert_to_lu with ρ = 1)
                float[] logs = Numpy.logOf(trainSigmas);
                double[] ramp = Numpy.linspace(0, 1, n);
                stepSigmas = new double[n];
                for (int i = 0; i < n; i++) {
                    double high = logs[t - 1];
                    double low = logs[0];
                    stepSigmas[i] = Math.exp(high + ramp[i] * (low - high));
                }
            }
            float[] logSigmas = Numpy.logOf(trainSigmas);
            double[] fractional = new double[n];
            for (int i = 0; i < n; i++) {
                fractional[i] = Numpy.sigmaToT(stepSigmas[i], logSigmas);
            }
            steps = Spacing.toIntegral(fractional); // rounded: can repeat (N=50 ends 1, 1, 0)
        } else {
            steps = Spacing.toIntegral(spaced);
            stepSigmas = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                if (steps[i] < 0 || steps[i] >= t) {
                    throw new IllegalArgumentException("DPM-Solver timestep " + steps[i] + " is outside 0.." + (t - 1));
                }
                stepSigmas[i] = trainSigmas[steps[i]];
            }
        }
        int n = steps.length;
        float[] sigmas = new float[n + 1];
        for (int i = 0; i < n; i++) {
            sigmas[i] = (float) stepSigmas[i];
        }
        sigmas[n] =
                "sigma_min".equals(config.finalSigmasType()) ? TrainingSchedule.sigmaOf(schedule.alphaCumprod(0)) : 0f;
        return new StepSchedule(steps, sigmas);
    }

    /** {@code torch.searchsorted(torch.flip(lambda_t, [0]), lambda_min_clipped)}: 0 for -∞. */
    private static int clippedIndex(TrainingSchedule schedule, double lambdaMinClipped) {
        int t = schedule.size();
        int index = 0;
        for (int i = t - 1; i >= 0; i--) { // lambda_t flipped is ascending
            float alpha = (float) Math.sqrt(schedule.alphaCumprod(i));
            float sigma = (float) Math.sqrt(1f - schedule.alphaCumprod(i));
            float lambda = (float) Math.log(alpha) - (float) Math.log(sigma);
            if (lambda < lambdaMinClipped) {
                index++;
            } else {
                break;
            }
        }
        return index;
    }

    private static double[] dropLast(double[] values) {
        double[] result = new double[values.length - 1];
        System.arraycopy(values, 0, result, 0, result.length);
        return result;
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

    /** The N + 1 sigmas of this schedule (a copy). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        int n = sample.length;
        int order = config.solverOrder();
        if (modelOutputs == null) {
            modelOutputs = new float[order][n];
        }
        int steps = timesteps.length;
        boolean lowerOrderFinal = stepIndex == steps - 1
                && (config.eulerAtFinal()
                        || (config.lowerOrderFinal() && steps < 15)
                        || "zero".equals(config.finalSigmasType()));
        boolean lowerOrderSecond = stepIndex == steps - 2 && config.lowerOrderFinal() && steps < 15;

        // convert_model_output: shift the history and store x0 as the newest entry
        float[] newest = modelOutputs[0];
        System.arraycopy(modelOutputs, 1, modelOutputs, 0, order - 1);
        modelOutputs[order - 1] = newest;
        convertModelOutput(modelOutput, stepIndex, sample, newest);

        if (order == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
            firstOrderUpdate(stepIndex, sample);
        } else if (order == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
            secondOrderUpdate(stepIndex, sample);
        } else {
            thirdOrderUpdate(stepIndex, sample);
        }
        if (lowerOrderNums < order) {
            lowerOrderNums++;
        }
        sequence.end(stepIndex);
    }

    private void convertModelOutput(float[] modelOutput, int stepIndex, float[] sample, float[] x0) {
        float alphaT = alphaAt(stepIndex);
        float sigmaT = sigmaTAt(stepIndex);
        PredictionType prediction = config.predictionType();
        for (int i = 0; i < x0.length; i++) {
            x0[i] = Prediction.toX0(prediction, sample[i], modelOutput[i], alphaT, sigmaT);
        }
        if (thresholding != null) {
            thresholding.apply(x0);
        }
    }

    /** α_i = α(σ_i) = 1 / (σ_i² + 1) ** 0.5 in float32 ({@code alpha_t} of {@code _sigma_to_alpha_sigma_t}). */
    private float alphaAt(int sigmaIndex) {
        float sigma = sigmas[sigmaIndex];
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    /** s_i = σ_i α_i in float32 ({@code sigma_t} of {@code _sigma_to_alpha_sigma_t}). */
    private float sigmaTAt(int sigmaIndex) {
        return sigmas[sigmaIndex] * alphaAt(sigmaIndex);
    }

    /** λ_i = log α_i - log s_i in float32; +∞ for σ = 0. */
    private float lambdaAt(int sigmaIndex) {
        return (float) Math.log(alphaAt(sigmaIndex)) - (float) Math.log(sigmaTAt(sigmaIndex));
    }

    private void firstOrderUpdate(int stepIndex, float[] sample) {
        // diffusers' indices: t is the σ stepped to, s (s0, s1, s2) the current and earlier ones
        int t = stepIndex + 1;
        int s = stepIndex;
        float alphaT = alphaAt(t);
        float h = lambdaAt(t) - lambdaAt(s);
        float sampleCoeff = sigmaTAt(t) / sigmaTAt(s);
        float x0Coeff = alphaT * ((float) Math.exp(-h) - 1f);
        float[] x0 = modelOutputs[modelOutputs.length - 1];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = sampleCoeff * sample[i] - x0Coeff * x0[i];
        }
    }

    private void secondOrderUpdate(int stepIndex, float[] sample) {
        int t = stepIndex + 1;
        int s0 = stepIndex;
        float alphaT = alphaAt(t);
        float lambdaS0 = lambdaAt(s0);
        float h = lambdaAt(t) - lambdaS0;
        float h0 = lambdaS0 - lambdaAt(s0 - 1);
        float r0 = h0 / h;
        float inverseR0 = 1f / r0;
        float expMinusH = (float) Math.exp(-h);
        float sampleCoeff = sigmaTAt(t) / sigmaTAt(s0);
        float d0Coeff = alphaT * (expMinusH - 1f);
        boolean midpoint = "midpoint".equals(config.solverType());
        float d1Coeff = midpoint ? 0.5f * d0Coeff : alphaT * ((expMinusH - 1f) / h + 1f);
        float[] m0 = modelOutputs[modelOutputs.length - 1];
        float[] m1 = modelOutputs[modelOutputs.length - 2];
        for (int i = 0; i < sample.length; i++) {
            float d1 = inverseR0 * (m0[i] - m1[i]);
            float partial = sampleCoeff * sample[i] - d0Coeff * m0[i];
            sample[i] = midpoint ? partial - d1Coeff * d1 : partial + d1Coeff * d1;
        }
    }

    private void thirdOrderUpdate(int stepIndex, float[] sample) {
        int t = stepIndex + 1;
        int s0 = stepIndex;
        float alphaT = alphaAt(t);
        float lambdaS0 = lambdaAt(s0);
        float lambdaS1 = lambdaAt(s0 - 1);
        float h = lambdaAt(t) - lambdaS0;
        float h0 = lambdaS0 - lambdaS1;
        float h1 = lambdaS1 - lambdaAt(s0 - 2);
        float r0 = h0 / h;
        float r1 = h1 / h;
        float inverseR0 = 1f / r0;
        float inverseR1 = 1f / r1;
        float d1Weight = r0 / (r0 + r1);
        float d2Weight = 1f / (r0 + r1);
        float expMinusH = (float) Math.exp(-h);
        float sampleCoeff = sigmaTAt(t) / sigmaTAt(s0);
        float d0Coeff = alphaT * (expMinusH - 1f);
        float d1Coeff = alphaT * ((expMinusH - 1f) / h + 1f);
        float d2Coeff = alphaT * ((expMinusH - 1f + h) / (h * h) - 0.5f);
        float[] m0 = modelOutputs[modelOutputs.length - 1];
        float[] m1 = modelOutputs[modelOutputs.length - 2];
        float[] m2 = modelOutputs[modelOutputs.length - 3];
        for (int i = 0; i < sample.length; i++) {
            float d10 = inverseR0 * (m0[i] - m1[i]);
            float d11 = inverseR1 * (m1[i] - m2[i]);
            float d1 = d10 + d1Weight * (d10 - d11);
            float d2 = d2Weight * (d10 - d11);
            sample[i] = sampleCoeff * sample[i] - d0Coeff * m0[i] + d1Coeff * d1 - d2Coeff * d2;
        }
    }

    @Override
    public void addNoise(float[] originalSamples, float[] noise, int stepIndex, float[] out) {
        sequence.checkIndex(stepIndex, timesteps.length);
        AddNoise.checkLengths(originalSamples, noise, out);
        float alphaT = alphaAt(stepIndex);
        float sigmaT = sigmaTAt(stepIndex);
        for (int i = 0; i < originalSamples.length; i++) {
            out[i] = alphaT * originalSamples[i] + sigmaT * noise[i];
        }
    }
}
