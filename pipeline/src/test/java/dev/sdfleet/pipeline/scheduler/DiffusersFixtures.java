package dev.sdfleet.pipeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.pipeline.noise.NoiseSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixtures of diffusers' {@code tests/schedulers/test_schedulers.py} ({@code SchedulerCommonTest}), flattened in
 * C order for the shape (batch 4, channels 3, height 8, width 8).
 */
final class DiffusersFixtures {

    static final int BATCH = 4;
    static final int NUM_ELEMENTS = 4 * 3 * 8 * 8;

    private DiffusersFixtures() {}

    /**
     * {@code dummy_sample_deter}: {@code arange(768).reshape(3, 8, 8, 4) / 768} permuted to (4, 3, 8, 8), so
     * {@code sample[b, c, h, w] = (c*256 + h*32 + w*4 + b) / 768} (float32 division).
     */
    static float[] dummySampleDeter() {
        return deterministic(false);
    }

    /** {@code dummy_noise_deter}: the same with {@code arange(768).flip(-1)}: {@code (767 - index) / 768}. */
    static float[] dummyNoiseDeter() {
        return deterministic(true);
    }

    private static float[] deterministic(boolean flipped) {
        float[] sample = new float[NUM_ELEMENTS];
        for (int b = 0; b < 4; b++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 8; h++) {
                    for (int w = 0; w < 8; w++) {
                        int index = c * 256 + h * 32 + w * 4 + b;
                        int value = flipped ? NUM_ELEMENTS - 1 - index : index;
                        sample[((b * 3 + c) * 8 + h) * 8 + w] = (float) value / NUM_ELEMENTS;
                    }
                }
            }
        }
        return sample;
    }

    /** {@code dummy_model()(sample, t)}: {@code sample * t / (t + 1)} in float32. */
    static float[] dummyModel(float[] sample, float t) {
        float[] out = new float[sample.length];
        for (int i = 0; i < sample.length; i++) {
            out[i] = sample[i] * t / (t + 1f);
        }
        return out;
    }

    /**
     * The {@code full_loop} of diffusers' scheduler tests on a scheduler the caller created (with N = 10):
     * {@code sample} starts as {@code dummy_sample_deter * init_noise_sigma}, noised with {@code dummy_noise_deter}
     * at {@code startIndex} when {@code withNoise}; then from {@code startIndex} on,
     * {@code sample = scale_model_input(sample, t)} and {@code sample = step(model(sample, t), t, sample, generator)}.
     * As in diffusers' Euler and LMS loops, the UNet input is not a copy; for DDIM, PNDM and DPM-Solver
     * init_noise_sigma is 1 and the scaling is the identity, so this is their loop as well.
     */
    static float[] fullLoop(Scheduler scheduler, int startIndex, boolean withNoise, NoiseSource generator) {
        float[] sample = dummySampleDeter();
        float init = scheduler.initNoiseSigma();
        for (int i = 0; i < sample.length; i++) {
            sample[i] = sample[i] * init;
        }
        if (withNoise) {
            scheduler.addNoise(sample, dummyNoiseDeter(), startIndex, sample);
        }
        float[] timesteps = scheduler.timesteps();
        for (int i = startIndex; i < timesteps.length; i++) {
            scheduler.scaleModelInput(sample, i);
            scheduler.step(dummyModel(sample, timesteps[i]), i, sample, generator);
        }
        return sample;
    }

    /** {@link #fullLoop(Scheduler, int, boolean, NoiseSource)} over every timestep, without noise or generator. */
    static float[] fullLoop(Scheduler scheduler) {
        return fullLoop(scheduler, 0, false, null);
    }

    static double sumAbs(float[] values) {
        double sum = 0;
        for (float value : values) {
            sum += Math.abs(value);
        }
        return sum;
    }

    static double meanAbs(float[] values) {
        return sumAbs(values) / values.length;
    }

    /** diffusers' assertions: {@code |sum - expected| < sumTolerance} and {@code |mean - expected| < 1e-3}. */
    static void assertSumAndMean(double expectedSum, double expectedMean, float[] sample, double sumTolerance) {
        double sum = sumAbs(sample);
        double mean = meanAbs(sample);
        assertEquals(expectedSum, sum, sumTolerance, "result_sum (mean " + mean + ")");
        assertEquals(expectedMean, mean, 1e-3, "result_mean (sum " + sum + ")");
    }

    static void assertSumAndMean(double expectedSum, double expectedMean, float[] sample) {
        assertSumAndMean(expectedSum, expectedMean, sample, 1e-2);
    }

    static void assertMean(double expectedMean, float[] sample) {
        assertEquals(expectedMean, meanAbs(sample), 1e-3, "result_mean (sum " + sumAbs(sample) + ")");
    }

    /** A config from diffusers-style keyword arguments: alternating key, value. */
    static SchedulerConfig config(String className, Object... keyValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        return SchedulerConfig.of(className, values);
    }

    /** {@code get_scheduler_config(**kwargs)}: the test's base config updated with alternating key, value. */
    static SchedulerConfig withOverrides(SchedulerConfig config, Object... overrides) {
        for (int i = 0; i < overrides.length; i += 2) {
            config = config.with((String) overrides[i], overrides[i + 1]);
        }
        return config;
    }

    /** The SD 1.5 {@code scheduler/scheduler_config.json}. */
    static final String SD15_SCHEDULER_JSON = """
            {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
             "clip_sample": false}
            """;
}
