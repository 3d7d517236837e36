package dev.sdfleet.worker.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.noise.NumpyRandom;
import dev.sdfleet.pipeline.scheduler.SchedulerKind;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobId;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.SchedulerName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The job → pipeline mapping: every wire scheduler name has a pipeline scheduler, and every job the protocol admits
 * (its limits are the fleet's policy) is a call the pipeline accepts (its limits are what a model can run).
 */
class PipelineRequestsTest {

    static Job job(
            int index, String prompt, int width, int height, int steps, double guidance, SchedulerName s, long seed) {
        return new Job(
                ProtocolMessage.CURRENT_SCHEMA_VERSION,
                JobId.of("r", index),
                "r",
                "test",
                index,
                GenerationRequest.MAX_IMAGES,
                prompt,
                "blurry",
                width,
                height,
                steps,
                guidance,
                s,
                seed,
                "tiny-sd",
                Priority.NORMAL,
                null,
                Instant.EPOCH,
                1);
    }

    @ParameterizedTest
    @EnumSource(SchedulerName.class)
    void everyWireSchedulerNameMapsToThePipelineSchedulerOfTheSameSpelling(SchedulerName name) {
        SchedulerKind kind = PipelineRequests.schedulerKind(name);
        assertNotNull(kind, name.id());
        assertEquals(name.id(), kind.id(), "the wire name and the pipeline's short id are one spelling");
        assertEquals(kind, SchedulerKind.parse(name.id()));
    }

    @Test
    void noSchedulerOnTheJobMeansTheModelsOwn() {
        assertNull(PipelineRequests.schedulerKind(null));
        assertNull(PipelineRequests.forBatch(List.of(job(0, "a", 64, 64, 20, 7.5, null, 1)))
                .scheduler());
    }

    @Test
    void aBatchIsOneCallWithEachJobsPromptAndSeed() {
        Job first = job(0, "a red circle", 64, 128, 12, 5.0, SchedulerName.EULER_ANCESTRAL, 7);
        Job second = job(1, "a blue square", 64, 128, 12, 5.0, SchedulerName.EULER_ANCESTRAL, 8);
        PipelineRequest request = PipelineRequests.forBatch(List.of(first, second));
        assertEquals(List.of("a red circle", "a blue square"), request.prompts());
        assertEquals(List.of(7L, 8L), request.seeds());
        assertEquals(1, request.imagesPerPrompt());
        assertEquals("blurry", request.negativePrompt());
        assertEquals(64, request.width());
        assertEquals(128, request.height());
        assertEquals(12, request.steps());
        assertEquals(5.0, request.guidanceScale());
        assertEquals(SchedulerKind.EULER_ANCESTRAL, request.scheduler());
        assertNull(request.initImage());
    }

    /**
     * Every combination of the protocol's bounds (sides, steps, guidance, seed, each scheduler and none): the job is
     * valid, so the pipeline request built from it must be too (its constructor throws otherwise).
     */
    @Test
    void everyJobAtTheProtocolsBoundsIsAValidPipelineRequest() {
        int[] sides = {GenerationRequest.MIN_SIDE, GenerationRequest.MAX_SIDE};
        int[] steps = {1, GenerationRequest.MAX_STEPS};
        double[] guidances = {0, GenerationRequest.MAX_GUIDANCE};
        long[] seeds = {0, GenerationRequest.MAX_SEED};
        List<SchedulerName> schedulers = new ArrayList<>(Arrays.asList(SchedulerName.values()));
        schedulers.add(null);
        String longest = "x".repeat(GenerationRequest.MAX_PROMPT_LENGTH);
        int checked = 0;
        for (int width : sides) {
            for (int height : sides) {
                for (int step : steps) {
                    for (double guidance : guidances) {
                        for (long seed : seeds) {
                            for (SchedulerName scheduler : schedulers) {
                                Job job = job(0, longest, width, height, step, guidance, scheduler, seed);
                                PipelineRequest request = PipelineRequests.forBatch(List.of(job));
                                assertEquals(width, request.width());
                                assertEquals(height, request.height());
                                assertEquals(step, request.steps());
                                assertEquals(guidance, request.guidanceScale());
                                assertEquals(List.of(seed), request.seeds());
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(2 * 2 * 2 * 2 * 2 * (SchedulerName.values().length + 1), checked);
    }

    @Test
    void theProtocolsLimitsLieInsideThePipelines() {
        assertEquals(0, GenerationRequest.MIN_SIDE % PipelineRequest.SIDE_MULTIPLE);
        assertEquals(0, GenerationRequest.SIDE_MULTIPLE % PipelineRequest.SIDE_MULTIPLE);
        assertTrue(GenerationRequest.MIN_SIDE >= PipelineRequest.MIN_SIDE);
        assertTrue(GenerationRequest.MAX_SIDE <= PipelineRequest.MAX_SIDE);
        assertTrue(GenerationRequest.MAX_STEPS <= PipelineRequest.MAX_STEPS);
        assertTrue(GenerationRequest.MAX_GUIDANCE <= PipelineRequest.MAX_GUIDANCE);
    }

    @Test
    void theWireSeedRangeIsNumpysSeedRange() {
        assertEquals(NumpyRandom.MAX_SEED, GenerationRequest.MAX_SEED);
    }
}
