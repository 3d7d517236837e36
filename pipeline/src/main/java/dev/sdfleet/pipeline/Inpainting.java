package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.runtime.FloatTensorBuffer;
import dev.sdfleet.pipeline.scheduler.Scheduler;

/**
 * One inpainting generation's fixed inputs and the two ways Stable Diffusion keeps the unmasked part, as diffusers'
 * PyTorch {@code StableDiffusionInpaintPipeline} does them:
 * <ul>
 *   <li><b>inpainting UNet</b> (9 input channels): every step the UNet gets
 *       {@code cat([scaled latents, mask, masked_image_latents], dim=1)}: it sees what to keep and draws the hole
 *       to fit ({@link #writeSample});</li>
 *   <li><b>ordinary UNet</b> (4 channels): after every scheduler step the kept latents are replaced by the init
 *       image's latents noised to the next timestep (unnoised after the last step):
 *       {@code latents = mask * latents + (1 - mask) * add_noise(init_latents, noise, t_next)} ({@link #blend}).</li>
 * </ul>
 * All buffers are made here, once per generation; the per-step methods allocate nothing.
 */
final class Inpainting {
    private final int latentChannels;
    private final int plane;
    private final float[] latentMask;
    private final float[] maskedImageLatents; // inpainting UNet only: one image's C*h*w, scaled
    private final float[] initLatents; // blend path only: every image's, scaled
    private final float[] noise; // blend path only: the noise the start was drawn with
    private final float[] noisedInit; // blend path only: scratch

    private Inpainting(
            int latentChannels, float[] latentMask, float[] maskedImageLatents, float[] initLatents, float[] noise) {
        this.latentChannels = latentChannels;
        this.plane = latentMask.length;
        this.latentMask = latentMask;
        this.maskedImageLatents = maskedImageLatents;
        this.initLatents = initLatents;
        this.noise = noise;
        this.noisedInit = initLatents == null ? null : new float[initLatents.length];
    }

    /**
     * For an inpainting UNet: the mask at latent size and the masked image's scaled latents.
     *
     * @param maskedImageLatents one image's {@code C*h*w} latents of the masked image, already scaled
     */
    static Inpainting forInpaintingUnet(int latentChannels, float[] latentMask, float[] maskedImageLatents) {
        if (maskedImageLatents.length != latentChannels * latentMask.length) {
            throw new IllegalArgumentException("masked image latents have " + maskedImageLatents.length
                    + " values, expected " + latentChannels * latentMask.length);
        }
        return new Inpainting(latentChannels, latentMask, maskedImageLatents, null, null);
    }

    /**
     * For an ordinary UNet: blending towards the init image's latents.
     *
     * @param initLatents every image's scaled init latents, {@code images * C*h*w}
     * @param noise the noise the start was drawn with, same length (diffusers re-noises with the same tensor)
     */
    static Inpainting forBlending(int latentChannels, float[] latentMask, float[] initLatents, float[] noise) {
        if (initLatents.length % (latentChannels * latentMask.length) != 0 || noise.length != initLatents.length) {
            throw new IllegalArgumentException("init latents and noise must have images * C*h*w values");
        }
        return new Inpainting(latentChannels, latentMask, null, initLatents, noise);
    }

    /** Whether the UNet takes the mask and masked image as extra channels (else the latents are blended). */
    boolean conditionsTheUnet() {
        return maskedImageLatents != null;
    }

    /**
     * Writes the constant channels of an inpainting UNet's sample, mask and masked image latents, into every row of
     * a {@code [batch, 2C+1, h, w]} buffer; call once per generation, before the loop.
     */
    void writeConditioning(FloatTensorBuffer sample, int batch) {
        int row = (2 * latentChannels + 1) * plane;
        for (int b = 0; b < batch; b++) {
            sample.write(b * row + latentChannels * plane, latentMask, 0, plane);
            sample.write(b * row + (latentChannels + 1) * plane, maskedImageLatents, 0, latentChannels * plane);
        }
    }

    /**
     * Writes this step's scaled latents ({@code [batch, C, h, w]}) into the first C channels of each row of an
     * inpainting UNet's sample; the other channels keep what {@link #writeConditioning} wrote.
     */
    void writeSample(FloatTensorBuffer sample, float[] scaledLatents, int batch) {
        int row = (2 * latentChannels + 1) * plane;
        int latentRow = latentChannels * plane;
        for (int b = 0; b < batch; b++) {
            sample.write(b * row, scaledLatents, b * latentRow, latentRow);
        }
    }

    /**
     * After scheduler step {@code stepIndex}: the kept latents become the init latents at the next timestep's noise
     * level, or clean after the last step; the repainted ones stay as the scheduler left them.
     *
     * @param stepCount the length of the scheduler's timesteps
     */
    void blend(float[] latents, Scheduler scheduler, int stepIndex, int stepCount) {
        float[] target;
        if (stepIndex + 1 < stepCount) {
            scheduler.addNoise(initLatents, noise, stepIndex + 1, noisedInit);
            target = noisedInit;
        } else {
            target = initLatents;
        }
        for (int i = 0; i < latents.length; i++) {
            float m = latentMask[i % plane];
            latents[i] = m * latents[i] + (1f - m) * target[i];
        }
    }
}
