package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.EulerDiscreteSchedulerTest.fullLoop;
import static dev.sdfleet.pipeline.scheduler.EulerDiscreteSchedulerTest.testConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The numbers of diffusers' {@code tests/schedulers/test_scheduler_lms.py}. */
class LmsDiscreteSchedulerTest {

    private static final String CLASS = "LMSDiscreteScheduler";

    @Test
    void fullLoopNoNoise() {
        assertSumAndMean(1006.388, 1.31, fullLoop(SchedulerKind.LMS, testConfig(CLASS), 0, false, null));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertSumAndMean(
                0.0017,
                2.2676e-06,
                fullLoop(SchedulerKind.LMS, testConfig(CLASS, "prediction_type", "v_prediction"), 0, false, null));
    }

    @Test
    void fullLoopKarrasSigmas() {
        assertSumAndMean(
                3812.9927,
                4.9648,
                fullLoop(SchedulerKind.LMS, testConfig(CLASS, "use_karras_sigmas", true), 0, false, null),
                2e-2);
    }

    @Test
    void fullLoopWithNoise() {
        assertSumAndMean(27663.6895, 36.0204, fullLoop(SchedulerKind.LMS, testConfig(CLASS), 8, true, null));
    }

    @Test
    void sameScheduleAsEuler() {
        SchedulerConfig sd15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);
        DiscreteSigmaScheduler lms = (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.LMS, sd15, 20, 0);
        DiscreteSigmaScheduler euler = (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.EULER, sd15, 20, 0);
        assertArrayEquals(euler.timesteps(), lms.timesteps());
        assertArrayEquals(euler.sigmas(), lms.sigmas());
    }
}
