package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.withOverrides;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.pipeline.noise.NoiseSource;
import org.junit.jupiter.api.Test;

/**
 * The numbers of diffusers' {@code tests/schedulers/test_scheduler_euler.py}, and the SD 1.5 example schedules.
 * Note that diffusers' loops overwrite {@code sample} with the scaled model input before {@code step}.
 */
class EulerDiscreteSchedulerTest {

    static SchedulerConfig testConfig(String className, Object... overrides) {
        return withOverrides(
                DiffusersFixtures.config(
                        className,
                        "num_train_timesteps",
                        1100L,
                        "beta_start",
                        0.0001,
                        "beta_end",
                        0.02,
                        "beta_schedule",
                        "linear"),
                overrides);
    }

    /**
     * diffusers' loop from {@code startIndex}: {@code sample = scale_model_input(sample, t)},
     * {@code sample = step(model(sample, t), t, sample)}; with noise added at {@code startIndex} when given.
     */
    static float[] fullLoop(
            SchedulerKind kind, SchedulerConfig config, int startIndex, boolean withNoise, NoiseSource generator) {
        return DiffusersFixtures.fullLoop(Schedulers.create(kind, config, 10, 0.0), startIndex, withNoise, generator);
    }

    @Test
    void fullLoopNoNoise() {
        assertSumAndMean(
                10.0807, 0.0131, fullLoop(SchedulerKind.EULER, testConfig("EulerDiscreteScheduler"), 0, false, null));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertSumAndMean(
                0.0002,
                2.2676e-06,
                fullLoop(
                        SchedulerKind.EULER,
                        testConfig("EulerDiscreteScheduler", "prediction_type", "v_prediction"),
                        0,
                        false,
                        null));
    }

    @Test
    void fullLoopKarrasSigmas() {
        assertSumAndMean(
                124.52299499511719,
                0.16213932633399963,
                fullLoop(
                        SchedulerKind.EULER,
                        testConfig("EulerDiscreteScheduler", "use_karras_sigmas", true),
                        0,
                        false,
                        null));
    }

    @Test
    void fullLoopWithNoise() {
        assertSumAndMean(
                57062.9297,
                74.3007,
                fullLoop(SchedulerKind.EULER, testConfig("EulerDiscreteScheduler"), 8, true, null));
    }

    @Test
    void sd15LinspaceScheduleFromThePndmConfig() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        DiscreteSigmaScheduler scheduler = (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.EULER, sd15, 20, 0);
        float[] timesteps = scheduler.timesteps();
        assertEquals(20, timesteps.length);
        assertEquals(999.0f, timesteps[0]);
        assertEquals(946.42108f, timesteps[1], 1e-4f);
        assertEquals(893.8421f, timesteps[2], 1e-4f);
        assertEquals(52.578949f, timesteps[18], 1e-4f);
        assertEquals(0.0f, timesteps[19]);
        assertEquals(14.614645f, scheduler.sigmas()[0], 1e-5f);
        assertEquals(0f, scheduler.sigmas()[20]);
        assertEquals(14.614645f, scheduler.initNoiseSigma(), 1e-5f);
    }

    @Test
    void sd15LeadingSchedule() {
        // SDXL-style config: leading spacing with steps_offset 1 (init sigma is sqrt(σ_max² + 1) there)
        SchedulerConfig config = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON)
                .withClass("EulerDiscreteScheduler")
                .with("timestep_spacing", "leading");
        DiscreteSigmaScheduler scheduler =
                (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.EULER, config, 20, 0);
        assertEquals(951f, scheduler.timesteps()[0]);
        assertEquals(1f, scheduler.timesteps()[19]);
        assertEquals(11.02833f, scheduler.sigmas()[0], 1e-5f);
        assertEquals(11.073580f, scheduler.initNoiseSigma(), 1e-5f);
    }

    @Test
    void scaleModelInputDividesBySqrtOfSigmaSquaredPlusOne() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.EULER, testConfig("EulerDiscreteScheduler"), 10, 0);
        float[] x = {1f, -2f};
        scheduler.scaleModelInput(x, 0);
        float sigma = ((DiscreteSigmaScheduler) scheduler).sigmas()[0];
        assertEquals(1f / (float) Math.sqrt(sigma * sigma + 1f), x[0]);
    }
}
