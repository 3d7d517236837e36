/**
 * Diffusion schedulers: ports of diffusers' {@code PNDMScheduler}, {@code DDIMScheduler},
 * {@code EulerDiscreteScheduler}, {@code EulerAncestralDiscreteScheduler}, {@code LMSDiscreteScheduler} and
 * {@code DPMSolverMultistepScheduler} that reproduce diffusers' own unit-test numbers.
 *
 * <p>Tables (betas, cumulative alphas, sigmas) and the per-element step arithmetic are computed in float32 in the
 * order torch evaluates them, and the timestep/sigma schedules in float64 where diffusers uses numpy, so that the
 * results agree with diffusers to float32 rounding.
 *
 * <p>Usage: build a {@link dev.sdfleet.pipeline.scheduler.SchedulerConfig} from the model's
 * {@code scheduler/scheduler_config.json}, create a scheduler per job with
 * {@link dev.sdfleet.pipeline.scheduler.Schedulers#create}, and for each index {@code i} of
 * {@link dev.sdfleet.pipeline.scheduler.Scheduler#timesteps()} scale the UNet input, run the UNet at
 * {@code timesteps()[i]} and call {@link dev.sdfleet.pipeline.scheduler.Scheduler#step}.
 */
package dev.sdfleet.pipeline.scheduler;
