package dev.sdfleet.pipeline.scheduler;

import dev.sdfleet.pipeline.noise.NoiseSource;

/**
 * One denoising schedule for one job: the timesteps the UNet is called with and the update of the latents after
 * each call, as a diffusers scheduler after {@code set_timesteps(N)}.
 *
 * <p>Loop, for {@code i} in {@code 0 .. timesteps().length-1} (or from a later start index for img2img):
 * <pre>{@code
 * x = copy of latents (twice for classifier-free guidance); scheduler.scaleModelInput(x, i);
 * eps = unet(x, timesteps[i]) (+ guidance);
 * scheduler.step(eps, i, latents, noise);      // latents are the UNSCALED latents
 * }</pre>
 *
 * <p>Steps must be called with consecutive indices (the multistep methods keep a history of model outputs). Buffers
 * for that history are allocated on the first step and reused, so the loop itself does not allocate.
 *
 * <p>Instances are stateful and not thread-safe: create one per job with {@link Schedulers#create}.
 */
public interface Scheduler {

    /**
     * The timesteps the UNet is called with, in order (a fresh copy; call once per job). PNDM with
     * {@code skip_prk_steps} has N+1 entries with the second one repeated. DDIM, PNDM and DPM-Solver timesteps are
     * integral; Euler and LMS timesteps can be fractional (the UNet input type decides whether they are truncated).
     */
    float[] timesteps();

    /** The factor for the initial N(0,1) latents: 1 for DDIM/PNDM/DPM-Solver, σ_max-based for Euler/LMS. */
    float initNoiseSigma();

    /**
     * Scales a copy of the latents into the UNet input for step {@code stepIndex}, in place: identity for
     * DDIM/PNDM/DPM-Solver, {@code x / sqrt(σ² + 1)} for Euler and LMS. Never apply it to the latents passed to
     * {@link #step}.
     */
    void scaleModelInput(float[] sample, int stepIndex);

    /**
     * Advances the latents from {@code timesteps()[stepIndex]} to the next timestep, in place.
     *
     * @param modelOutput the (guided) UNet output for this step, same length as {@code sample}
     * @param stepIndex the index into {@link #timesteps()}; consecutive from one call to the next
     * @param sample the unscaled latents, overwritten with the result
     * @param noise the generator for stochastic steps (Euler ancestral, DDIM with eta &gt; 0), which draw one
     *     tensor of {@code sample.length} values per step; may be {@code null} for the others
     * @throws IllegalArgumentException for mismatched lengths, an index out of range, or a missing noise source
     * @throws IllegalStateException if the index does not follow the previous step's
     */
    void step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise);

    /**
     * Noises clean latents to the level of {@code timesteps()[stepIndex]} (img2img, inpainting):
     * {@code sqrt(ᾱ) x0 + sqrt(1-ᾱ) noise} for DDIM/PNDM/DPM-Solver, {@code x0 + σ noise} for Euler/LMS.
     * {@code out} may be {@code originalSamples}.
     */
    void addNoise(float[] originalSamples, float[] noise, int stepIndex, float[] out);

    /** UNet calls per solver step; 1 for every scheduler here (diffusers' {@code scheduler.order}). */
    int order();
}
