package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;
import java.util.Arrays;

/**
 * diffusers {@code PNDMScheduler} (Liu et al., "Pseudo Numerical Methods for Diffusion Models", formula 9): the
 * SD 1.x default, used with {@code skip_prk_steps = true}, i.e. pseudo linear multistep (PLMS) only.
 *
 * <p>With {@code skip_prk_steps} the timesteps are the spacing with the second one repeated (N+1 UNet calls). The
 * first call steps with ε0; the second redoes the same interval from the same sample with (ε0 + ε1)/2; from then on
 * the Adams–Bashforth combinations of the last 2, 3 and 4 ε are used. Without it (the class default, used by
 * diffusers' unit tests) 12 Runge–Kutta-like calls on the last 4 spacing steps come first.
 *
 * <pre>
 * x' = sqrt(ᾱ_prev/ᾱ_t) x - (ᾱ_prev - ᾱ_t) ε' / (ᾱ_t sqrt(1-ᾱ_prev) + sqrt(ᾱ_t (1-ᾱ_t) ᾱ_prev))
 * </pre>
 *
 * <p>Like diffusers, the multistep counter starts at the first step taken, whatever its index (img2img).
 * Not thread-safe; one instance per job.
 */
public final class PndmScheduler extends VariancePreservingScheduler {

    private static final int PNDM_ORDER = 4;
    /** Runge–Kutta warm-up calls: 4 per interval over the last 3 intervals ({@code len(prk_timesteps)}). */
    private static final int PRK_CALLS = 4 * (PNDM_ORDER - 1);

    private static final float ONE_SIXTH = (float) (1.0 / 6);
    private static final float ONE_THIRD = (float) (1.0 / 3);
    private static final float ONE_24TH = (float) (1.0 / 24);

    private final TrainingSchedule schedule;
    /** The Runge–Kutta warm-up: the first {@link #PRK_CALLS} timesteps, none with {@code skip_prk_steps}. */
    private final int[] prkTimesteps;

    private final int stepRatio;

    /** The last (up to) 4 model outputs. */
    private History ets;

    private float[] curSample;
    private float[] curModelOutput;
    private float[] combined;

    PndmScheduler(SchedulerConfig config, int numInferenceSteps) {
        // the prediction type is checked first (arguments are evaluated left to right)
        super(requireSupported(config), prkAndPlmsTimesteps(config, numInferenceSteps));
        this.schedule = new TrainingSchedule(config);
        this.stepRatio = config.numTrainTimesteps() / numInferenceSteps;
        this.prkTimesteps = Arrays.copyOf(timesteps, config.skipPrkSteps() ? 0 : PRK_CALLS);
    }

    private static SchedulerConfig requireSupported(SchedulerConfig config) {
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new IllegalArgumentException("PNDMScheduler supports prediction_type epsilon or v_prediction only");
        }
        return config;
    }

    /** diffusers {@code set_timesteps}: {@code concat(prk_timesteps, plms_timesteps)}. */
    private static int[] prkAndPlmsTimesteps(SchedulerConfig config, int numInferenceSteps) {
        int t = config.numTrainTimesteps();
        int[] ascending = Spacing.toIntegral(Numpy.reverse(
                Spacing.descending(config.timestepSpacing(), t, numInferenceSteps, config.stepsOffset())));
        int n = ascending.length;
        int[] timesteps;
        if (config.skipPrkSteps()) {
            // plms_timesteps = concat(_ts[:-1], _ts[-2:-1], _ts[-1:])[::-1]
            if (n == 1) {
                timesteps = new int[] {ascending[0]}; // ts[-2:-1] is empty
            } else {
                timesteps = new int[n + 1];
                for (int i = 0; i < n - 1; i++) {
                    timesteps[n - i] = ascending[i];
                }
                timesteps[1] = ascending[n - 2];
                timesteps[0] = ascending[n - 1];
            }
        } else {
            if (n < PNDM_ORDER) {
                throw new IllegalArgumentException("PNDM with Runge-Kutta warm-up needs at least 4 inference steps");
            }
            // prk = (_ts[-4:].repeat(2) + tile([0, T//N//2], 4))[:-1].repeat(2)[1:-1][::-1]
            int half = t / numInferenceSteps / 2;
            int[] base = new int[2 * PNDM_ORDER];
            for (int i = 0; i < PNDM_ORDER; i++) {
                base[2 * i] = ascending[n - PNDM_ORDER + i];
                base[2 * i + 1] = ascending[n - PNDM_ORDER + i] + half;
            }
            int[] repeated = new int[2 * (base.length - 1)];
            for (int i = 0; i < base.length - 1; i++) {
                repeated[2 * i] = base[i];
                repeated[2 * i + 1] = base[i];
            }
            int[] prkTimesteps = new int[repeated.length - 2]; // PRK_CALLS
            for (int i = 0; i < prkTimesteps.length; i++) {
                prkTimesteps[i] = repeated[repeated.length - 2 - i];
            }
            // plms = _ts[:-3][::-1]
            int plmsCount = n - 3;
            timesteps = new int[prkTimesteps.length + plmsCount];
            System.arraycopy(prkTimesteps, 0, timesteps, 0, prkTimesteps.length);
            for (int i = 0; i < plmsCount; i++) {
                timesteps[prkTimesteps.length + i] = ascending[plmsCount - 1 - i];
            }
        }
        for (int timestep : timesteps) {
            if (timestep < 0 || timestep >= t) {
                throw new IllegalArgumentException("PNDM timestep " + timestep + " is outside 0.." + (t - 1));
            }
        }
        return timesteps;
    }

    @Override
    public void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        sequence.begin(stepIndex, timesteps.length, modelOutput, sample);
        if (ets == null) {
            int n = sample.length;
            ets = new History(PNDM_ORDER, n);
            curSample = new float[n];
            curModelOutput = new float[n];
            combined = new float[n];
        }
        int counter = sequence.stepsTaken();
        if (counter < prkTimesteps.length) {
            stepPrk(modelOutput, timesteps[stepIndex], sample, counter);
        } else {
            stepPlms(modelOutput, timesteps[stepIndex], sample, counter);
        }
        sequence.end(stepIndex);
    }

    /** diffusers {@code step_prk}: four calls per interval, combined with weights 1/6, 1/3, 1/3, 1/6. */
    private void stepPrk(float[] modelOutput, int timestep, float[] sample, int counter) {
        int diffToPrev = counter % 2 != 0 ? 0 : stepRatio / 2;
        int prevTimestep = timestep - diffToPrev;
        int t = prkTimesteps[counter / 4 * 4];
        int n = sample.length;
        float[] output = modelOutput;
        switch (counter % 4) {
            case 0 -> {
                for (int i = 0; i < n; i++) {
                    curModelOutput[i] = ONE_SIXTH * modelOutput[i];
                }
                pushEt(modelOutput);
                System.arraycopy(sample, 0, curSample, 0, n);
            }
            case 1, 2 -> {
                for (int i = 0; i < n; i++) {
                    curModelOutput[i] = curModelOutput[i] + ONE_THIRD * modelOutput[i];
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    curModelOutput[i] = curModelOutput[i] + ONE_SIXTH * modelOutput[i];
                }
                output = curModelOutput; // the combined ε; diffusers then resets its accumulator to 0
            }
        }
        previousSample(curSample, t, prevTimestep, output, sample);
    }

    /** diffusers {@code step_plms}. */
    private void stepPlms(float[] modelOutput, int timestep, float[] sample, int counter) {
        int n = sample.length;
        int t = timestep;
        int prevTimestep = timestep - stepRatio;
        if (counter != 1) {
            pushEt(modelOutput);
        } else {
            // the repeated timestep: redo the first interval with the averaged ε
            prevTimestep = timestep;
            t = timestep + stepRatio;
        }
        float[] source = sample;
        if (ets.size() == 1 && counter == 0) {
            System.arraycopy(sample, 0, curSample, 0, n);
            previousSample(sample, t, prevTimestep, modelOutput, sample);
            return;
        }
        if (ets.size() == 1 && counter == 1) {
            float[] e1 = et(1);
            for (int i = 0; i < n; i++) {
                combined[i] = (modelOutput[i] + e1[i]) / 2f;
            }
            source = curSample;
        } else if (ets.size() == 2) {
            float[] e1 = et(1);
            float[] e2 = et(2);
            for (int i = 0; i < n; i++) {
                combined[i] = (3f * e1[i] - e2[i]) / 2f;
            }
        } else if (ets.size() == 3) {
            float[] e1 = et(1);
            float[] e2 = et(2);
            float[] e3 = et(3);
            for (int i = 0; i < n; i++) {
                combined[i] = (23f * e1[i] - 16f * e2[i] + 5f * e3[i]) / 12f;
            }
        } else {
            float[] e1 = et(1);
            float[] e2 = et(2);
            float[] e3 = et(3);
            float[] e4 = et(4);
            for (int i = 0; i < n; i++) {
                combined[i] = ONE_24TH * (55f * e1[i] - 59f * e2[i] + 37f * e3[i] - 9f * e4[i]);
            }
        }
        previousSample(source, t, prevTimestep, combined, sample);
    }

    /** Appends a model output to the history, keeping the last 4 (diffusers {@code ets = ets[-3:] + [e]}). */
    private void pushEt(float[] modelOutput) {
        System.arraycopy(modelOutput, 0, ets.append(), 0, modelOutput.length);
    }

    /** {@code ets[-k]}: 1 is the newest. */
    private float[] et(int k) {
        return ets.newest(k);
    }

    /** diffusers {@code _get_prev_sample}, formula (9) of the PNDM paper; writes into {@code out}. */
    private void previousSample(float[] source, int timestep, int prevTimestep, float[] modelOutput, float[] out) {
        float alphaProdT = schedule.alphaCumprod(timestep);
        float alphaProdTPrev = schedule.alphaProdAt(prevTimestep);
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;
        float sqrtAlphaProdT = (float) Math.sqrt(alphaProdT);
        float sqrtBetaProdT = (float) Math.sqrt(betaProdT);
        // (ᾱ_prev - ᾱ_t) / (sqrt(ᾱ_t) (sqrt(ᾱ_prev) + sqrt(ᾱ_t))) = sqrt(ᾱ_prev / ᾱ_t) - 1, plus x_t's coefficient 1
        float sampleCoeff = (float) Math.sqrt(alphaProdTPrev / alphaProdT);
        float denominator = alphaProdT * (float) Math.sqrt(betaProdTPrev)
                + (float) Math.sqrt(alphaProdT * betaProdT * alphaProdTPrev);
        float alphaDiff = alphaProdTPrev - alphaProdT;
        PredictionType prediction = config.predictionType();
        for (int i = 0; i < out.length; i++) {
            float x = source[i];
            float eps = Prediction.toEpsilon(prediction, x, modelOutput[i], sqrtAlphaProdT, sqrtBetaProdT);
            out[i] = sampleCoeff * x - alphaDiff * eps / denominator;
        }
    }

    @Override
    public void addNoise(float[] originalSamples, float[] noise, int stepIndex, float[] out) {
        sequence.checkIndex(stepIndex, timesteps.length);
        AddNoise.variancePreserving(schedule.alphaCumprod(timesteps[stepIndex]), originalSamples, noise, out);
    }
}
