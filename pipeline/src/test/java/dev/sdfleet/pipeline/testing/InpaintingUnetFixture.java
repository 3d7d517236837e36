package dev.sdfleet.pipeline.testing;

import static dev.sdfleet.pipeline.testing.OnnxGraphWriter.FLOAT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A Stable Diffusion inpainting model folder built at test time: the trained tiny model's tokenizer, text encoder,
 * VAE and scheduler with a 9-input-channel UNet in the diffusers/optimum layout ({@code unet/model.onnx}: inputs
 * {@code sample [batch, 9, height, width]} = latents 4 + mask 1 + masked-image latents 4, {@code timestep} a float
 * scalar, {@code encoder_hidden_states [batch, 77, 64]}; output {@code out_sample [batch, 4, height, width]};
 * {@code unet/config.json} with {@code in_channels} 9).
 *
 * <p>The UNet is not trained: a 1x1 convolution over the 9 channels plus a projection of the mean text embedding
 * and a timestep term. Being linear in its channels, it has a 4-channel counterpart ({@link #writeFoldedUnet}):
 * the same convolution over the latents plus a constant that folds in given mask and masked-image channels. Run
 * from the same noise, the two must draw the same image exactly when the pipeline hands the inpainting UNet the
 * channels in diffusers' order.
 */
public final class InpaintingUnetFixture {
    public static final int LATENT_CHANNELS = 4;
    public static final int INPUT_CHANNELS = 2 * LATENT_CHANNELS + 1;
    /** The tiny model's text width. */
    public static final int CONTEXT_DIM = 64;

    /**
     * The UNet's weights.
     *
     * @param conv 1x1 convolution {@code [4 out][9 in]}
     * @param bias per output channel
     * @param context projection of the mean text embedding, {@code [64][4]}
     * @param timeScale the timestep's factor (added to every output)
     */
    public record Weights(float[] conv, float[] bias, float[] context, float timeScale) {

        /** Small random weights around a damped identity on the latents, so 20 guided steps stay finite. */
        public static Weights random(long seed) {
            Random random = new Random(seed);
            float[] conv = new float[LATENT_CHANNELS * INPUT_CHANNELS];
            for (int o = 0; o < LATENT_CHANNELS; o++) {
                for (int c = 0; c < INPUT_CHANNELS; c++) {
                    float scale = c < LATENT_CHANNELS ? 0.05f : 0.4f;
                    conv[o * INPUT_CHANNELS + c] = (c == o ? 0.3f : 0f) + scale * (float) random.nextGaussian();
                }
            }
            float[] bias = new float[LATENT_CHANNELS];
            for (int o = 0; o < LATENT_CHANNELS; o++) {
                bias[o] = 0.05f * (float) random.nextGaussian();
            }
            float[] context = new float[CONTEXT_DIM * LATENT_CHANNELS];
            for (int i = 0; i < context.length; i++) {
                context[i] = 0.05f * (float) random.nextGaussian();
            }
            return new Weights(conv, bias, context, 1e-4f);
        }

        /** The weight from input channel {@code in} to output channel {@code out}. */
        public float weight(int out, int in) {
            return conv[out * INPUT_CHANNELS + in];
        }
    }

    private InpaintingUnetFixture() {}

    /** Copies the tiny model to {@code dir} and replaces its UNet with the 9-channel one. */
    public static Path build(Path dir, Weights weights) throws IOException {
        TinyModels.copyTree(TinyModels.sd(), dir);
        Path unet = dir.resolve("unet");
        Files.deleteIfExists(unet.resolve("model.onnx_data"));
        Files.write(unet.resolve("model.onnx"), unet(weights, INPUT_CHANNELS, weights.conv(), null, 0, 0));
        Files.writeString(
                unet.resolve("config.json"),
                Files.readString(unet.resolve("config.json")).replace("\"in_channels\": 4", "\"in_channels\": 9"));
        return dir;
    }

    /**
     * Replaces the UNet of a model folder with the 4-channel counterpart: the latents' part of the convolution plus
     * {@code constant} ({@code [4][h][w]}), which must hold what the mask and masked-image channels contribute.
     */
    public static void writeFoldedUnet(Path modelDir, Weights weights, float[] constant, int height, int width)
            throws IOException {
        float[] latentConv = new float[LATENT_CHANNELS * LATENT_CHANNELS];
        for (int o = 0; o < LATENT_CHANNELS; o++) {
            for (int c = 0; c < LATENT_CHANNELS; c++) {
                latentConv[o * LATENT_CHANNELS + c] = weights.weight(o, c);
            }
        }
        Path unet = modelDir.resolve("unet");
        Files.write(unet.resolve("model.onnx"), unet(weights, LATENT_CHANNELS, latentConv, constant, height, width));
        Files.writeString(
                unet.resolve("config.json"),
                Files.readString(unet.resolve("config.json")).replace("\"in_channels\": 9", "\"in_channels\": 4"));
    }

    private static byte[] unet(Weights w, int inChannels, float[] conv, float[] constant, int height, int width) {
        OnnxGraphWriter g = new OnnxGraphWriter()
                .input("sample", FLOAT, "batch_size", inChannels, "height", "width")
                .input("timestep", FLOAT)
                .input("encoder_hidden_states", FLOAT, "batch_size", 77, CONTEXT_DIM)
                .output("out_sample", FLOAT, "batch_size", LATENT_CHANNELS, "height", "width")
                .floats("conv.weight", conv, LATENT_CHANNELS, inChannels, 1, 1)
                .floats("conv.bias", w.bias(), LATENT_CHANNELS)
                .floats("context.weight", w.context(), CONTEXT_DIM, LATENT_CHANNELS)
                .floats("time.scale", new float[] {w.timeScale()})
                .longs("spatial_axes", new long[] {2, 3}, 2)
                .node("Conv", List.of("sample", "conv.weight", "conv.bias"), List.of("conv"))
                .node(
                        "ReduceMean",
                        List.of("encoder_hidden_states"),
                        List.of("text_mean"),
                        OnnxGraphWriter.intsAttr("axes", 1),
                        OnnxGraphWriter.intAttr("keepdims", 0))
                .node("MatMul", List.of("text_mean", "context.weight"), List.of("text_term"))
                .node("Unsqueeze", List.of("text_term", "spatial_axes"), List.of("text_map"))
                .node("Mul", List.of("timestep", "time.scale"), List.of("time_term"))
                .node("Add", List.of("conv", "text_map"), List.of("conditioned"));
        if (constant == null) {
            g.node("Add", List.of("conditioned", "time_term"), List.of("out_sample"));
        } else {
            g.floats("folded", constant, 1, LATENT_CHANNELS, height, width)
                    .node("Add", List.of("conditioned", "folded"), List.of("folded_in"))
                    .node("Add", List.of("folded_in", "time_term"), List.of("out_sample"));
        }
        return g.toBytes();
    }
}
