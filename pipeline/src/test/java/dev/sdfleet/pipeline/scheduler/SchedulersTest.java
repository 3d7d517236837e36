package dev.sdfleet.pipeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.noise.NoiseSource;
import dev.sdfleet.pipeline.noise.NumpyRandom;
import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class SchedulersTest {

    private static final SchedulerConfig SD15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);

    @Test
    void parsesKinds() {
        assertParses(SchedulerKind.PNDM, "pndm", "PNDMScheduler");
        assertParses(SchedulerKind.DDIM, "DDIM");
        assertParses(SchedulerKind.EULER, "euler", "EulerDiscreteScheduler");
        assertParses(SchedulerKind.EULER_ANCESTRAL, "euler_a", "euler-ancestral", "EulerAncestralDiscreteScheduler");
        assertParses(SchedulerKind.LMS, "LMSDiscreteScheduler");
        assertParses(SchedulerKind.DPM_SOLVER_MULTISTEP, "dpmpp_2m", "DPMSolverMultistepScheduler");
        assertParses(SchedulerKind.DPM_SOLVER_MULTISTEP_KARRAS, "dpmpp_2m_karras", "DPM-Solver-Multistep-Karras");
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> SchedulerKind.parse("unipc"));
        assertTrue(
                error.getMessage().contains("euler_a") && error.getMessage().contains("dpmpp_2m_karras"),
                error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SchedulerKind.parse(null));
    }

    private static void assertParses(SchedulerKind expected, String... names) {
        for (String name : names) {
            assertEquals(expected, SchedulerKind.parse(name), name);
        }
    }

    @Test
    void createsEveryKindFromTheSd15Config() {
        assertInstanceOf(PndmScheduler.class, Schedulers.create(SchedulerKind.PNDM, SD15, 20, 0));
        assertInstanceOf(PndmScheduler.class, Schedulers.create(SD15, 20, 0));
        assertInstanceOf(DdimScheduler.class, Schedulers.create(SchedulerKind.DDIM, SD15, 20, 0));
        assertInstanceOf(EulerDiscreteScheduler.class, Schedulers.create(SchedulerKind.EULER, SD15, 20, 0));
        assertInstanceOf(
                EulerAncestralDiscreteScheduler.class, Schedulers.create(SchedulerKind.EULER_ANCESTRAL, SD15, 20, 0));
        assertInstanceOf(LmsDiscreteScheduler.class, Schedulers.create(SchedulerKind.LMS, SD15, 20, 0));
        assertInstanceOf(
                DpmSolverMultistepScheduler.class,
                Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP_KARRAS, SD15, 20, 0));
        for (SchedulerKind kind : SchedulerKind.values()) {
            assertEquals(1, Schedulers.create(kind, SD15, 20, 0).order());
        }
    }

    @Test
    void validatesStepsAndEta() {
        IllegalArgumentException zero =
                assertThrows(IllegalArgumentException.class, () -> Schedulers.create(SchedulerKind.EULER, SD15, 0, 0));
        assertTrue(zero.getMessage().contains("between 1 and num_train_timesteps (1000)"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create(SchedulerKind.DDIM, SD15, 1001, 0));
        assertEquals(
                1000,
                Schedulers.create(SchedulerKind.DDIM, SD15.with("steps_offset", 0L), 1000, 0)
                        .timesteps()
                        .length);
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create(SchedulerKind.DDIM, SD15, 20, -0.5));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create(SchedulerKind.DDIM, SD15, 20, Double.NaN));
    }

    @Test
    void stepsMustBeConsecutive() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP, SD15, 20, 0);
        float[] sample = new float[8];
        scheduler.step(new float[8], 3, sample, null); // a later start (img2img) is fine
        assertThrows(IllegalStateException.class, () -> scheduler.step(new float[8], 5, sample, null));
        assertThrows(IllegalArgumentException.class, () -> scheduler.step(new float[7], 4, sample, null));
        assertThrows(IllegalArgumentException.class, () -> scheduler.step(new float[8], 20, sample, null));
        scheduler.step(new float[8], 4, sample, null);
    }

    @Test
    void addNoiseUsesTheScheduleOfTheStepIndex() {
        float[] clean = {1f, -1f};
        float[] noise = {0.5f, 0.25f};
        float[] out = new float[2];
        DiscreteSigmaScheduler euler = (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.EULER, SD15, 20, 0);
        euler.addNoise(clean, noise, 3, out);
        assertEquals(1f + 0.5f * euler.sigmas()[3], out[0]);
        Scheduler ddim = Schedulers.create(SchedulerKind.DDIM, SD15, 20, 0);
        ddim.addNoise(clean, noise, 0, out);
        float alpha = new TrainingSchedule(SD15.withClass("DDIMScheduler")).alphaCumprod(951);
        assertEquals((float) Math.sqrt(alpha) * 1f + (float) Math.sqrt(1f - alpha) * 0.5f, out[0]);
    }

    @Test
    void sd15TrainingTables() {
        TrainingSchedule schedule = new TrainingSchedule(SD15);
        assertEquals(0.99914998f, schedule.alphaCumprod(0), 1e-8f);
        assertEquals(0.27633250f, schedule.alphaCumprod(500), 1e-8f);
        assertEquals(0.0046600961f, schedule.alphaCumprod(999), 1e-10f);
        assertEquals(0.0291675f, schedule.sigma(0), 1e-7f);
        assertEquals(14.614645f, schedule.sigma(999), 1e-5f);
    }

    @Test
    void theStepLoopDoesNotAllocate() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = 4 * 64 * 64;
        SchedulerConfig config = SD15.with("thresholding", true); // DDIM and DPM-Solver: with dynamic thresholding
        for (SchedulerKind kind : EnumSet.allOf(SchedulerKind.class)) {
            Scheduler scheduler = Schedulers.create(kind, config, 500, 1.0);
            NoiseSource noise = new NumpyRandom(0);
            float[] sample = new float[n];
            float[] modelOutput = new float[n];
            noise.fill(sample, 0, n);
            noise.fill(modelOutput, 0, n);
            for (int i = 0; i < 50; i++) { // first steps allocate the history buffers; let the JIT settle
                scheduler.step(modelOutput, i, sample, noise);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 50; i < 150; i++) {
                scheduler.step(modelOutput, i, sample, noise);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // one sample-sized buffer per step would be 100 * 64 KiB
            assertTrue(allocated < 64 * 1024, kind + " allocated " + allocated + " bytes in 100 steps");
        }
    }
}
