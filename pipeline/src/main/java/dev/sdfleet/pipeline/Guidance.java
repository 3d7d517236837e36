package dev.sdfleet.pipeline;

/**
 * Classifier-free guidance: combines the UNet's unconditional and conditional predictions. Pure arithmetic on
 * preallocated arrays, no allocation.
 */
final class Guidance {
    private Guidance() {}

    /**
     * Writes the guided prediction for {@code images} images into {@code out}.
     *
     * <p>With guidance the UNet batch is [uncond(images); cond(images)] and {@code out = u + g (c - u)}; with
     * {@code rescale > 0} each image is then blended with its copy rescaled to the conditional prediction's standard
     * deviation (torch.std, unbiased), as diffusers' {@code rescale_noise_cfg}. Without guidance the prediction is
     * copied.
     */
    static void combine(
            float[] prediction, boolean guided, float scale, float rescale, int images, int perImage, float[] out) {
        int n = images * perImage;
        if (!guided) {
            System.arraycopy(prediction, 0, out, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float uncond = prediction[i];
            out[i] = uncond + scale * (prediction[n + i] - uncond);
        }
        if (rescale > 0) {
            for (int image = 0; image < images; image++) {
                int from = image * perImage;
                double stdText = std(prediction, n + from, perImage);
                double stdCfg = std(out, from, perImage);
                float factor = (float) (stdText / stdCfg);
                for (int i = from; i < from + perImage; i++) {
                    float rescaled = out[i] * factor;
                    out[i] = rescale * rescaled + (1 - rescale) * out[i];
                }
            }
        }
    }

    /** Unbiased (N-1) standard deviation, as torch.std. */
    static double std(float[] values, int from, int length) {
        double mean = 0;
        for (int i = from; i < from + length; i++) {
            mean += values[i];
        }
        mean /= length;
        double sum = 0;
        for (int i = from; i < from + length; i++) {
            double d = values[i] - mean;
            sum += d * d;
        }
        return Math.sqrt(sum / (length - 1));
    }
}
