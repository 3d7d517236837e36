package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.withOverrides;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.pipeline.noise.TorchCpuRandom;
import org.junit.jupiter.api.Test;

/** The numbers of diffusers' {@code tests/schedulers/test_scheduler_ddim.py}. */
class DdimSchedulerTest {

    /** {@code get_scheduler_config(**kwargs)} of the diffusers test. */
    private static SchedulerConfig testConfig(Object... overrides) {
        return withOverrides(
                DiffusersFixtures.config(
                        "DDIMScheduler",
                        "num_train_timesteps",
                        1000L,
                        "beta_start",
                        0.0001,
                        "beta_end",
                        0.02,
                        "beta_schedule",
                        "linear",
                        "clip_sample",
                        true),
                overrides);
    }

    /** {@code full_loop}: N = 10, eta = 0, {@code sample = step(model(sample, t), t, sample, eta)}. */
    private static float[] fullLoop(SchedulerConfig config) {
        return DiffusersFixtures.fullLoop(Schedulers.create(SchedulerKind.DDIM, config, 10, 0.0));
    }

    @Test
    void fullLoopNoNoise() {
        assertSumAndMean(172.0067, 0.223967, fullLoop(testConfig()));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertSumAndMean(52.5302, 0.0684, fullLoop(testConfig("prediction_type", "v_prediction")));
    }

    @Test
    void fullLoopWithSetAlphaToOne() {
        assertSumAndMean(149.8295, 0.1951, fullLoop(testConfig("set_alpha_to_one", true, "beta_start", 0.01)));
    }

    @Test
    void fullLoopWithNoSetAlphaToOne() {
        assertSumAndMean(149.0784, 0.1941, fullLoop(testConfig("set_alpha_to_one", false, "beta_start", 0.01)));
    }

    @Test
    void fullLoopWithNoise() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DDIM, testConfig(), 10, 0.0);
        float[] sample = DiffusersFixtures.fullLoop(scheduler, 8, true, null);
        assertSumAndMean(354.5418, 0.4616, sample);
    }

    @Test
    void stepsOffset() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DDIM, testConfig("steps_offset", 1L), 5, 0.0);
        assertArrayEquals(new float[] {801, 601, 401, 201, 1}, scheduler.timesteps());
    }

    @Test
    void defaultTimestepsLeading() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DDIM, testConfig(), 10, 0.0);
        assertArrayEquals(new float[] {900, 800, 700, 600, 500, 400, 300, 200, 100, 0}, scheduler.timesteps());
    }

    @Test
    void variance() {
        DdimScheduler scheduler = (DdimScheduler) Schedulers.create(SchedulerKind.DDIM, testConfig(), 10, 0.0);
        assertEquals(0.0, scheduler.variance(0, 0), 1e-5);
        assertEquals(0.14771, scheduler.variance(420, 400), 1e-5);
        assertEquals(0.32460, scheduler.variance(980, 960), 1e-5);
        assertEquals(0.00979, scheduler.variance(487, 486), 1e-5);
        assertEquals(0.02, scheduler.variance(999, 998), 1e-5);
    }

    @Test
    void sd15ScheduleWithTwentySteps() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        Scheduler scheduler = Schedulers.create(SchedulerKind.DDIM, sd15, 20, 0.0);
        float[] expected = new float[20];
        for (int k = 0; k < 20; k++) {
            expected[k] = 951 - 50 * k;
        }
        assertArrayEquals(expected, scheduler.timesteps());
        assertEquals(1f, scheduler.initNoiseSigma());
    }

    @Test
    void etaDrawsOneTensorPerStepAndIsDeterministicPerSeed() {
        float[] first = etaLoop(42);
        float[] second = etaLoop(42);
        assertArrayEquals(first, second);
        float[] deterministic = fullLoop(testConfig());
        assertEquals(false, java.util.Arrays.equals(first, deterministic));
    }

    private static float[] etaLoop(long seed) {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DDIM, testConfig(), 10, 1.0);
        return DiffusersFixtures.fullLoop(scheduler, 0, false, new TorchCpuRandom(seed));
    }
}
