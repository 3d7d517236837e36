package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.dummyModel;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.dummySampleDeter;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.withOverrides;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The numbers of diffusers' {@code tests/schedulers/test_scheduler_pndm.py} (PRK warm-up, then PLMS). */
class PndmSchedulerTest {

    private static SchedulerConfig testConfig(Object... overrides) {
        return withOverrides(
                DiffusersFixtures.config(
                        "PNDMScheduler",
                        "num_train_timesteps",
                        1000L,
                        "beta_start",
                        0.0001,
                        "beta_end",
                        0.02,
                        "beta_schedule",
                        "linear"),
                overrides);
    }

    /** {@code full_loop}: N = 10, the 12 {@code step_prk} calls then the {@code step_plms} calls. */
    private static float[] fullLoop(SchedulerConfig config) {
        return DiffusersFixtures.fullLoop(Schedulers.create(SchedulerKind.PNDM, config, 10, 0.0));
    }

    @Test
    void prkAndPlmsTimesteps() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.PNDM, testConfig(), 10, 0.0);
        assertArrayEquals(
                new float[] {900, 850, 850, 800, 800, 750, 750, 700, 700, 650, 650, 600, 600, 500, 400, 300, 200, 100, 0
                },
                scheduler.timesteps());
    }

    @Test
    void fullLoopNoNoise() {
        assertSumAndMean(198.1318, 0.2580, fullLoop(testConfig()));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertSumAndMean(67.3986, 0.0878, fullLoop(testConfig("prediction_type", "v_prediction")));
    }

    @Test
    void fullLoopWithSetAlphaToOne() {
        assertSumAndMean(230.0399, 0.2995, fullLoop(testConfig("set_alpha_to_one", true, "beta_start", 0.01)));
    }

    @Test
    void fullLoopWithNoSetAlphaToOne() {
        assertSumAndMean(186.9482, 0.2434, fullLoop(testConfig("set_alpha_to_one", false, "beta_start", 0.01)));
    }

    @Test
    void sd15PlmsScheduleRepeatsTheSecondTimestep() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        Scheduler scheduler = Schedulers.create(SchedulerKind.PNDM, sd15, 20, 0.0);
        float[] expected = new float[21];
        expected[0] = 951;
        expected[1] = 901;
        for (int k = 2; k < 21; k++) {
            expected[k] = 951 - 50 * (k - 1);
        }
        assertArrayEquals(expected, scheduler.timesteps()); // 951, 901, 901, 851, ..., 51, 1
        assertEquals(1f, scheduler.initNoiseSigma());
    }

    @Test
    void plmsLoopMatchesDiffusersSteps() {
        // skip_prk_steps: the second call redoes the first interval from the stored sample with (e0 + e1) / 2
        SchedulerConfig config = testConfig("skip_prk_steps", true);
        Scheduler scheduler = Schedulers.create(SchedulerKind.PNDM, config, 10, 0.0);
        float[] timesteps = scheduler.timesteps();
        assertArrayEquals(new float[] {900, 800, 800, 700, 600, 500, 400, 300, 200, 100, 0}, timesteps);
        float[] sample = dummySampleDeter();
        float[] first = null;
        for (int i = 0; i < timesteps.length; i++) {
            float[] output = dummyModel(sample, timesteps[i]);
            float[] outputCopy = output.clone();
            scheduler.step(output, i, sample, null);
            assertArrayEquals(outputCopy, output, "the model output must not be modified");
            if (i == 0) {
                first = sample.clone();
            }
        }
        // every value shrinks towards zero with this dummy model; the result differs from the first step's
        assertEquals(false, java.util.Arrays.equals(first, sample));
    }

    @Test
    void singlePlmsStep() {
        // skip_prk_steps with N = 1: plms_timesteps = concat(ts[:-1], ts[-2:-1], ts[-1:]) = [1]
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        Scheduler scheduler = Schedulers.create(SchedulerKind.PNDM, sd15, 1, 0.0);
        assertArrayEquals(new float[] {1}, scheduler.timesteps());
        float[] sample = dummySampleDeter();
        scheduler.step(dummyModel(sample, 1), 0, sample, null);
    }
}
