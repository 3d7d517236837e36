package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.noise.NoiseSource;
import dev.sdfleet.pipeline.scheduler.Scheduler;

/**
 * What one denoising loop runs, fixed before its first step. The scheduler itself keeps per-step state; the plan only
 * says which one runs.
 *
 * @param request the call's request (shape, guidance, SDXL size conditioning)
 * @param scheduler a fresh scheduler with its timesteps set
 * @param conditioning the text conditioning, unconditional rows first when guidance is on
 * @param firstStep the index of the first timestep to run: 0 for text-to-image, later for img2img
 * @param stepNoise the noise a stochastic scheduler draws at each step
 * @param inpainting the inpainting inputs and blending, or null for text-to-image and img2img
 */
record DenoisingPlan(
        PipelineRequest request,
        Scheduler scheduler,
        PromptConditioning conditioning,
        int firstStep,
        NoiseSource stepNoise,
        Inpainting inpainting) {}
