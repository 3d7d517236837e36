package dev.sdfleet.pipeline.stage;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.FloatTensorBuffer;
import dev.sdfleet.pipeline.runtime.IncompatibleModelException;
import dev.sdfleet.pipeline.runtime.LoadedSession;
import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import java.util.Map;

/**
 * The VAE encoder for img2img: an RGB image to (unscaled) latents.
 *
 * <p>Exports differ in what they return: diffusers' script samples inside the graph ({@code latent_sample}, 4
 * channels); optimum >= 1.23 returns the distribution ({@code latent_parameters}: mean and log-variance, 8 channels),
 * of which the mean is taken, which is deterministic (diffusers' {@code sample_mode="argmax"}).
 */
public final class VAEEncoder implements AutoCloseable {
    private final LoadedSession session;
    private final TensorSpec input;
    private final String output;

    public VAEEncoder(LoadedSession session) {
        this.session = session;
        this.input = session.requireInput("sample");
        if (session.outputs().containsKey("latent_parameters")) {
            output = "latent_parameters";
        } else if (session.outputs().containsKey("latent_sample")) {
            output = "latent_sample";
        } else {
            throw new IncompatibleModelException(
                    "vae_encoder " + session.file() + " has neither latent_parameters nor latent_sample; outputs are "
                            + session.outputs().keySet());
        }
    }

    /** The output this export provides. */
    public String outputName() {
        return output;
    }

    /**
     * Encodes the image (pixels scaled to [-1, 1]) and returns C*h*w latent values, not yet multiplied by the
     * scaling factor.
     */
    public float[] encode(RgbImage image, int latentChannels, OrtClock clock) {
        int w = image.width();
        int h = image.height();
        float[] chw = new float[3 * h * w];
        byte[] rgb = image.pixels();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    chw[c * h * w + y * w + x] = (rgb[(y * w + x) * 3 + c] & 0xFF) / 255.0f * 2.0f - 1.0f;
                }
            }
        }
        return encode(chw, h, w, latentChannels, clock);
    }

    /**
     * Encodes pixels already in the encoder's range, {@code [3][h][w]} in [-1, 1] (inpainting's masked image, whose
     * hole is 0, a value no 8-bit pixel has), and returns C*h*w latent values, not yet multiplied by the scaling
     * factor.
     */
    public float[] encode(float[] chw, int h, int w, int latentChannels, OrtClock clock) {
        try (FloatTensorBuffer pixels = new FloatTensorBuffer(input.type(), 1, 3, h, w)) {
            pixels.write(chw, 0);
            long start = System.nanoTime();
            try (OrtSession.Result result =
                    session.session().run(Map.of("sample", pixels.tensor()), session.onceOptions())) {
                clock.add(System.nanoTime() - start);
                float[] out = TextEmbedder.floats(result.get(output).orElseThrow());
                int latentSize = latentChannels * (h / 8) * (w / 8);
                if (out.length < latentSize) {
                    throw new IncompatibleModelException(
                            "vae_encoder returned " + out.length + " values, expected at least " + latentSize);
                }
                // latent_parameters: the first C channels are the mean.
                return java.util.Arrays.copyOf(out, latentSize);
            }
        } catch (OrtException e) {
            throw new OrtRunException("vae_encoder", e);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
