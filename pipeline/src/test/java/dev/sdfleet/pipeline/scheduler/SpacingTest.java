package dev.sdfleet.pipeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Timestep spacings, against values printed by numpy 1.24 for the expressions in diffusers' set_timesteps. */
class SpacingTest {

    private static final SchedulerConfig SD15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);

    @Test
    void ddimTrailingAndLinspace() {
        // np.round(np.arange(1000, 0, -1000/20)).astype(np.int64) - 1
        assertArrayEquals(
                new float[] {
                    999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 499, 449, 399, 349, 299, 249, 199, 149, 99, 49
                },
                Schedulers.create(SchedulerKind.DDIM, SD15.with("timestep_spacing", "trailing"), 20, 0)
                        .timesteps());
        // np.linspace(0, 999, 20).round()[::-1]
        assertArrayEquals(
                new float[] {
                    999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0
                },
                Schedulers.create(SchedulerKind.DDIM, SD15.with("timestep_spacing", "linspace"), 20, 0)
                        .timesteps());
    }

    @Test
    void dpmSolverLeadingUsesNPlusOnePoints() {
        // (np.arange(0, 21) * (1000 // 21)).round()[::-1][:-1] + 1
        assertArrayEquals(
                new float[] {
                    941, 894, 847, 800, 753, 706, 659, 612, 565, 518, 471, 424, 377, 330, 283, 236, 189, 142, 95, 48
                },
                Schedulers.create(
                                SchedulerKind.DPM_SOLVER_MULTISTEP,
                                SD15.withClass("DPMSolverMultistepScheduler").with("timestep_spacing", "leading"),
                                20,
                                0)
                        .timesteps());
    }

    @Test
    void eulerTrailingStartsAtTheLastTrainingStep() {
        SchedulerConfig config = SD15.withClass("EulerDiscreteScheduler").with("timestep_spacing", "trailing");
        DiscreteSigmaScheduler euler = (DiscreteSigmaScheduler) Schedulers.create(SchedulerKind.EULER, config, 7, 0);
        // np.arange(1000, 0, -1000/7).round().astype(np.float32) - 1
        assertArrayEquals(new float[] {999, 856, 713, 570, 428, 285, 142}, euler.timesteps());
        assertEquals(14.614645f, euler.initNoiseSigma(), 1e-5f); // σ_max, not sqrt(σ_max² + 1), for trailing
    }

    @Test
    void trailingNeverYieldsMoreThanNSteps() {
        // numpy's arange gives 62 values for N = 61 (the last is -1); that extra step is dropped here
        float[] timesteps = Schedulers.create(SchedulerKind.DDIM, SD15.with("timestep_spacing", "trailing"), 61, 0)
                .timesteps();
        assertEquals(61, timesteps.length);
        assertEquals(15f, timesteps[60]);
        assertTrue(timesteps[0] == 999f);
    }

    @Test
    void torchLinspaceMatchesTorchBitForBit() {
        // torch.linspace(0.0001, 0.02, 1000, dtype=torch.float32)[[0, 7, 31, 499, 500, 501, 991, 992, 999]]
        // (at 7 and 31 a linspace that fuses the lane arithmetic too would be one ulp off)
        float[] betas = TrainingSchedule.torchLinspace(0.0001, 0.02, 1000);
        int[] indices = {0, 7, 31, 499, 500, 501, 991, 992, 999};
        float[] expected = {
            9.999999747378752e-05f,
            0.00023943945416249335f,
            0.000717517570592463f,
            0.0100400410592556f,
            0.010059960186481476f,
            0.010079880245029926f,
            0.01984064094722271f,
            0.019860560074448586f,
            0.019999999552965164f
        };
        for (int i = 0; i < indices.length; i++) {
            assertEquals(expected[i], betas[indices[i]], "beta " + indices[i]);
        }
    }
}
