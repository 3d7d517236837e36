package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertMean;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.withOverrides;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The numbers of diffusers' {@code tests/schedulers/test_scheduler_dpm_multi.py}, and the SD 1.5 schedules. */
class DpmSolverMultistepSchedulerTest {

    private static final String CLASS = "DPMSolverMultistepScheduler";

    private static SchedulerConfig testConfig(Object... overrides) {
        return withOverrides(
                DiffusersFixtures.config(
                        CLASS,
                        "num_train_timesteps",
                        1000L,
                        "beta_start",
                        0.0001,
                        "beta_end",
                        0.02,
                        "beta_schedule",
                        "linear",
                        "solver_order",
                        2L,
                        "prediction_type",
                        "epsilon",
                        "thresholding",
                        false,
                        "sample_max_value",
                        1.0,
                        "algorithm_type",
                        "dpmsolver++",
                        "solver_type",
                        "midpoint",
                        "lower_order_final",
                        false,
                        "euler_at_final",
                        false,
                        "lambda_min_clipped",
                        Double.NEGATIVE_INFINITY,
                        "variance_type",
                        null,
                        "final_sigmas_type",
                        "sigma_min"),
                overrides);
    }

    /** {@code full_loop}: N = 10, batch 4, {@code sample = step(model(sample, t), t, sample)} (no input scaling). */
    private static float[] fullLoop(SchedulerConfig config) {
        DpmSolverMultistepScheduler scheduler =
                (DpmSolverMultistepScheduler) Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP, config, 10, 0);
        scheduler.setBatchSize(DiffusersFixtures.BATCH);
        return DiffusersFixtures.fullLoop(scheduler);
    }

    @Test
    void fullLoopNoNoise() {
        assertMean(0.3301, fullLoop(testConfig()));
    }

    @Test
    void fullLoopNoNoiseThresholding() {
        assertMean(
                1.1364,
                fullLoop(
                        testConfig("thresholding", true, "dynamic_thresholding_ratio", 0.87, "sample_max_value", 0.5)));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertMean(0.2251, fullLoop(testConfig("prediction_type", "v_prediction")));
    }

    @Test
    void fullLoopWithKarrasAndVPrediction() {
        assertMean(0.2096, fullLoop(testConfig("prediction_type", "v_prediction", "use_karras_sigmas", true)));
    }

    @Test
    void fullLoopWithLuLambdasAndVPrediction() {
        assertMean(0.1554, fullLoop(testConfig("prediction_type", "v_prediction", "use_lu_lambdas", true)));
    }

    @Test
    void fullLoopWithNoise() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP, testConfig(), 10, 0);
        float[] sample = DiffusersFixtures.fullLoop(scheduler, 5, true, null);
        assertSumAndMean(318.4111, 0.4146, sample);
    }

    @Test
    void switchThroughOtherClassesKeepsTheResult() {
        // DPMSolverMultistep -> DPMSolverSinglestep -> UniPC -> DEIS -> DPMSolverMultistep via from_config
        SchedulerConfig config = testConfig()
                .withClass("DPMSolverSinglestepScheduler")
                .withClass("UniPCMultistepScheduler")
                .withClass("DEISMultistepScheduler")
                .withClass(CLASS);
        assertMean(0.3301, fullLoop(config));
    }

    @Test
    void sd15DpmPlusPlus2m() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        Scheduler scheduler = Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP, sd15, 20, 0);
        // round(linspace(0, 999, 21))[::-1][:-1]: 49.95 * k rounds down above 500 and up below
        assertArrayEquals(
                new float[] {
                    999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50
                },
                scheduler.timesteps());
        assertEquals(1f, scheduler.initNoiseSigma());
    }

    @Test
    void sd15DpmPlusPlus2mKarras() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        DpmSolverMultistepScheduler scheduler =
                (DpmSolverMultistepScheduler) Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP_KARRAS, sd15, 20, 0);
        assertArrayEquals(
                new float[] {999, 962, 921, 876, 827, 772, 710, 640, 561, 474, 380, 285, 197, 123, 69, 35, 15, 6, 2, 0},
                scheduler.timesteps());
        float[] sigmas = scheduler.sigmas();
        assertEquals(21, sigmas.length);
        assertEquals(14.614645f, sigmas[0], 1e-5f);
        assertEquals(11.725371f, sigmas[1], 1e-5f);
        assertEquals(0.029168f, sigmas[19], 1e-6f);
        assertEquals(0f, sigmas[20]);
        assertEquals(1f, scheduler.initNoiseSigma());
    }
}
