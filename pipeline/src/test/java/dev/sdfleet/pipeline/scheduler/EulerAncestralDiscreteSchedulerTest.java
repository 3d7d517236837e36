package dev.sdfleet.pipeline.scheduler;

import static dev.sdfleet.pipeline.scheduler.DiffusersFixtures.assertSumAndMean;
import static dev.sdfleet.pipeline.scheduler.EulerDiscreteSchedulerTest.fullLoop;
import static dev.sdfleet.pipeline.scheduler.EulerDiscreteSchedulerTest.testConfig;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sdfleet.pipeline.noise.TorchCpuRandom;
import org.junit.jupiter.api.Test;

/**
 * The numbers of diffusers' {@code tests/schedulers/test_scheduler_euler_ancestral.py}: the test's generator is
 * {@code torch.manual_seed(0)} and each step draws {@code randn} of the sample's shape (768 values), reproduced by
 * {@link TorchCpuRandom}.
 */
class EulerAncestralDiscreteSchedulerTest {

    private static final String CLASS = "EulerAncestralDiscreteScheduler";

    @Test
    void fullLoopNoNoise() {
        assertSumAndMean(
                152.3192,
                0.1983,
                fullLoop(SchedulerKind.EULER_ANCESTRAL, testConfig(CLASS), 0, false, new TorchCpuRandom(0)));
    }

    @Test
    void fullLoopWithVPrediction() {
        assertSumAndMean(
                108.4439,
                0.1412,
                fullLoop(
                        SchedulerKind.EULER_ANCESTRAL,
                        testConfig(CLASS, "prediction_type", "v_prediction"),
                        0,
                        false,
                        new TorchCpuRandom(0)));
    }

    @Test
    void fullLoopWithNoise() {
        assertSumAndMean(
                56163.0508,
                73.1290,
                fullLoop(SchedulerKind.EULER_ANCESTRAL, testConfig(CLASS), 8, true, new TorchCpuRandom(0)));
    }

    @Test
    void stepWithoutNoiseSourceIsRejected() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.EULER_ANCESTRAL, testConfig(CLASS), 10, 0);
        float[] sample = new float[4];
        assertThrows(IllegalArgumentException.class, () -> scheduler.step(new float[4], 0, sample, null));
    }
}
