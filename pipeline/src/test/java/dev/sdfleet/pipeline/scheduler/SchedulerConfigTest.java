package dev.sdfleet.pipeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {

    private static final SchedulerConfig SD15 = SchedulerConfig.fromJson(DiffusersFixtures.SD15_SCHEDULER_JSON);

    @Test
    void readsTheSd15Config() {
        assertEquals("PNDMScheduler", SD15.className());
        assertEquals(1000, SD15.numTrainTimesteps());
        assertEquals(0.00085, SD15.betaStart());
        assertEquals(0.012, SD15.betaEnd());
        assertEquals(BetaSchedule.SCALED_LINEAR, SD15.betaSchedule());
        assertNull(SD15.trainedBetas());
        assertEquals(PredictionType.EPSILON, SD15.predictionType()); // class default: the key is missing
        assertEquals(TimestepSpacing.LEADING, SD15.timestepSpacing()); // PNDM's default
        assertEquals(1, SD15.stepsOffset());
        assertFalse(SD15.setAlphaToOne());
        assertTrue(SD15.skipPrkSteps());
        assertFalse(SD15.values().containsKey("timestep_spacing"));
        assertEquals(false, SD15.values().get("clip_sample")); // kept although PNDM does not use it
        assertTrue(SD15.isSupportedClass());
    }

    @Test
    void fromConfigClassSwitchUsesTheNewClassDefaultsForMissingKeys() {
        SchedulerConfig euler = SD15.withClass("EulerDiscreteScheduler");
        assertEquals(TimestepSpacing.LINSPACE, euler.timestepSpacing());
        assertEquals(BetaSchedule.SCALED_LINEAR, euler.betaSchedule());
        assertEquals(1, euler.stepsOffset());
        assertEquals(
                TimestepSpacing.LINSPACE,
                SD15.withClass("EulerAncestralDiscreteScheduler").timestepSpacing());
        assertEquals(
                TimestepSpacing.LINSPACE, SD15.withClass("LMSDiscreteScheduler").timestepSpacing());

        SchedulerConfig ddim = SD15.withClass("DDIMScheduler");
        assertEquals(TimestepSpacing.LEADING, ddim.timestepSpacing());
        assertFalse(ddim.clipSample()); // the JSON's clip_sample travels through PNDM to DDIM
        assertFalse(ddim.setAlphaToOne());

        SchedulerConfig dpm = SD15.withClass("DPMSolverMultistepScheduler");
        assertEquals(TimestepSpacing.LINSPACE, dpm.timestepSpacing());
        assertEquals(2, dpm.solverOrder());
        assertTrue(dpm.lowerOrderFinal());
        assertEquals("zero", dpm.finalSigmasType());
        assertEquals("dpmsolver++", dpm.algorithmType());

        // DDIM's defaulted timestep_spacing is not passed on either
        assertEquals(
                TimestepSpacing.LINSPACE,
                ddim.withClass("EulerDiscreteScheduler").timestepSpacing());
        assertEquals(SD15, SD15.withClass("EulerDiscreteScheduler").withClass("PNDMScheduler"));
    }

    @Test
    void classDefaults() {
        SchedulerConfig ddim = SchedulerConfig.defaults("DDIMScheduler");
        assertTrue(ddim.clipSample());
        assertTrue(ddim.setAlphaToOne());
        assertEquals(BetaSchedule.LINEAR, ddim.betaSchedule());
        assertEquals(0.0001, ddim.betaStart());
        assertEquals(0.02, ddim.betaEnd());
        SchedulerConfig pndm = SchedulerConfig.defaults("PNDMScheduler");
        assertFalse(pndm.setAlphaToOne());
        assertFalse(pndm.skipPrkSteps());
        assertEquals(TimestepSpacing.LEADING, pndm.timestepSpacing());
        assertEquals(
                TimestepSpacing.LINSPACE,
                SchedulerConfig.defaults("EulerDiscreteScheduler").timestepSpacing());
        assertTrue(
                SchedulerConfig.defaults("DPMSolverMultistepScheduler").values().isEmpty());
        assertEquals(
                Double.NEGATIVE_INFINITY,
                SchedulerConfig.defaults("DPMSolverMultistepScheduler").lambdaMinClipped());
    }

    @Test
    void keysListedInUseDefaultValuesCountAsDefaults() {
        // newer diffusers save every key and list the defaulted ones
        SchedulerConfig pndm = SchedulerConfig.fromJson("""
                {"_class_name": "PNDMScheduler", "timestep_spacing": "leading", "steps_offset": 1,
                 "_use_default_values": ["timestep_spacing"]}""");
        assertEquals(TimestepSpacing.LEADING, pndm.timestepSpacing());
        assertEquals(
                TimestepSpacing.LINSPACE,
                pndm.withClass("EulerDiscreteScheduler").timestepSpacing());
    }

    @Test
    void readsPythonInfinity() {
        SchedulerConfig dpm = SchedulerConfig.fromJson("""
                {"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity,
                 "use_karras_sigmas": true, "algorithm_type": "deis", "solver_type": "logrho"}""");
        assertEquals(Double.NEGATIVE_INFINITY, dpm.lambdaMinClipped());
        assertTrue(dpm.useKarrasSigmas());
        assertEquals("dpmsolver++", dpm.algorithmType()); // as DPMSolverMultistepScheduler re-registers it
        assertEquals("midpoint", dpm.solverType());
    }

    @Test
    void readsAFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("scheduler_config.json");
        Files.writeString(file, DiffusersFixtures.SD15_SCHEDULER_JSON);
        assertEquals(SD15, SchedulerConfig.fromJson(file));
    }

    @Test
    void trainedBetas() {
        SchedulerConfig config = SchedulerConfig.fromJson("""
                {"_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 3,
                 "trained_betas": [0.1, 0.2, 0.3]}""");
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, config.trainedBetas());
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.fromJson("""
                {"_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 4, "trained_betas": [0.1, 0.2]}"""));
    }

    @Test
    void unknownValuesAreRejectedWithTheAcceptedOnes() {
        IllegalArgumentException schedule =
                assertThrows(IllegalArgumentException.class, () -> SD15.with("beta_schedule", "sigmoid"));
        assertTrue(schedule.getMessage().contains("beta_schedule"), schedule.getMessage());
        assertTrue(schedule.getMessage().contains("scaled_linear"), schedule.getMessage());
        IllegalArgumentException spacing =
                assertThrows(IllegalArgumentException.class, () -> SD15.with("timestep_spacing", "uniform"));
        assertTrue(spacing.getMessage().contains("linspace, leading, trailing"), spacing.getMessage());
        IllegalArgumentException type =
                assertThrows(IllegalArgumentException.class, () -> SD15.with("steps_offset", "one"));
        assertTrue(type.getMessage().contains("steps_offset"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SD15.with("prediction_type", "noise"));
        assertThrows(
                IllegalArgumentException.class,
                () -> SD15.withClass("EulerDiscreteScheduler").with("final_sigmas_type", "one"));
    }

    @Test
    void invalidDocumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.fromJson("{\"beta_start\": 0.1}"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.fromJson("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.fromJson("{\"_class_name\": "));
    }

    @Test
    void otherClassesAreKeptForSwitching() {
        SchedulerConfig unipc = SchedulerConfig.fromJson("""
                {"_class_name": "UniPCMultistepScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                 "beta_end": 0.012, "solver_type": "bh2", "timestep_spacing": "trailing", "steps_offset": 1}""");
        assertFalse(unipc.isSupportedClass());
        SchedulerConfig euler = unipc.withClass("EulerDiscreteScheduler");
        assertEquals(TimestepSpacing.TRAILING, euler.timestepSpacing());
        assertEquals(BetaSchedule.SCALED_LINEAR, euler.betaSchedule());
        assertEquals(20, Schedulers.create(SchedulerKind.EULER, unipc, 20, 0).timesteps().length);
        assertThrows(IllegalArgumentException.class, () -> Schedulers.create(unipc, 20, 0));
    }

    @Test
    void unsupportedOptionsFailWhenCreatingTheScheduler() {
        SchedulerConfig zeroSnr = SD15.withClass("EulerDiscreteScheduler").with("rescale_betas_zero_snr", true);
        IllegalArgumentException error = assertThrows(
                IllegalArgumentException.class, () -> Schedulers.create(SchedulerKind.EULER, zeroSnr, 20, 0));
        assertTrue(error.getMessage().contains("rescale_betas_zero_snr"), error.getMessage());
        SchedulerConfig sde = SD15.withClass("DPMSolverMultistepScheduler").with("algorithm_type", "sde-dpmsolver++");
        error = assertThrows(
                IllegalArgumentException.class,
                () -> Schedulers.create(SchedulerKind.DPM_SOLVER_MULTISTEP, sde, 20, 0));
        assertTrue(error.getMessage().contains("sde-dpmsolver++"), error.getMessage());
        // PNDM does not have the option, so the key is ignored there, as diffusers ignores unknown keys
        assertEquals(21, Schedulers.create(SchedulerKind.PNDM, zeroSnr, 20, 0).timesteps().length);
    }
}
