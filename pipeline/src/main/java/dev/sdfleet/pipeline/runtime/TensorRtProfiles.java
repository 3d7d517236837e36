package dev.sdfleet.pipeline.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * TensorRT optimisation profiles (min/opt/max shapes per dynamic input), derived from the configured image sizes and
 * batch size, so that TensorRT builds one engine that serves them all instead of rebuilding per new shape.
 *
 * <p>Shapes follow ORT's option syntax: {@code name:d0xd1x...}, comma-separated.
 */
public final class TensorRtProfiles {
    private static final int CONTEXT = 77;

    private TensorRtProfiles() {}

    /** One component's profile; empty strings mean "no profile". */
    public record Profile(String min, String opt, String max) {
        public static final Profile NONE = new Profile("", "", "");

        public boolean isEmpty() {
            return min.isEmpty();
        }
    }

    /**
     * Geometry read from the components' config.json files; 0 where unknown (then no profile is derived that needs it).
     *
     * @param unetInputChannels the UNet's {@code sample} channels: the latent channels, or 9 for an inpainting UNet
     */
    public record Geometry(int latentChannels, int contextDim, int textEmbedsDim, int timeIds, int unetInputChannels) {

        /** An ordinary UNet: it takes the latent channels. */
        public Geometry(int latentChannels, int contextDim, int textEmbedsDim, int timeIds) {
            this(latentChannels, contextDim, textEmbedsDim, timeIds, latentChannels);
        }
    }

    /**
     * Profiles for the text encoder(s): batch 1 up to twice the images per call (negative + positive prompts).
     *
     * @param maxImages the most images generated in one call ({@code RuntimeSettings.maxImagesPerCall})
     */
    public static Profile textEncoder(int maxImages) {
        int max = 2 * maxImages;
        return new Profile(
                "input_ids:1x" + CONTEXT,
                "input_ids:" + Math.min(2, max) + "x" + CONTEXT,
                "input_ids:" + max + "x" + CONTEXT);
    }

    /** Profiles for the UNet: CFG doubles the batch; the latent is a factor 8 smaller than the image. */
    public static Profile unet(RuntimeSettings.TensorRtSettings trt, int maxImages, Geometry g) {
        if (g.latentChannels() == 0 || g.contextDim() == 0) {
            return Profile.NONE;
        }
        int maxBatch = 2 * maxImages;
        int optBatch = Math.min(2, maxBatch);
        return new Profile(
                unetShapes(g, 1, smallest(trt)),
                unetShapes(g, optBatch, mostPixels(trt)),
                unetShapes(g, maxBatch, largest(trt)));
    }

    /** Profiles for the VAE decoder, which decodes one image at a time. */
    public static Profile vaeDecoder(RuntimeSettings.TensorRtSettings trt, Geometry g) {
        if (g.latentChannels() == 0) {
            return Profile.NONE;
        }
        return new Profile(
                "latent_sample:" + latent(g, 1, smallest(trt)),
                "latent_sample:" + latent(g, 1, mostPixels(trt)),
                "latent_sample:" + latent(g, 1, largest(trt)));
    }

    private static String unetShapes(Geometry g, int batch, RuntimeSettings.ImageSize size) {
        List<String> parts = new ArrayList<>();
        int channels = g.unetInputChannels() > 0 ? g.unetInputChannels() : g.latentChannels();
        parts.add("sample:" + batch + "x" + channels + "x" + size.height() / 8 + "x" + size.width() / 8);
        parts.add("encoder_hidden_states:" + batch + "x" + CONTEXT + "x" + g.contextDim());
        if (g.textEmbedsDim() > 0) {
            parts.add("text_embeds:" + batch + "x" + g.textEmbedsDim());
            parts.add("time_ids:" + batch + "x" + g.timeIds());
        }
        return String.join(",", parts);
    }

    private static String latent(Geometry g, int batch, RuntimeSettings.ImageSize size) {
        return batch + "x" + g.latentChannels() + "x" + size.height() / 8 + "x" + size.width() / 8;
    }

    /** Per-axis minimum over the configured sizes. */
    static RuntimeSettings.ImageSize smallest(RuntimeSettings.TensorRtSettings trt) {
        var sizes = trt.imageSizes();
        return new RuntimeSettings.ImageSize(
                sizes.stream().mapToInt(RuntimeSettings.ImageSize::width).min().orElseThrow(),
                sizes.stream().mapToInt(RuntimeSettings.ImageSize::height).min().orElseThrow());
    }

    /** Per-axis maximum over the configured sizes. */
    static RuntimeSettings.ImageSize largest(RuntimeSettings.TensorRtSettings trt) {
        var sizes = trt.imageSizes();
        return new RuntimeSettings.ImageSize(
                sizes.stream().mapToInt(RuntimeSettings.ImageSize::width).max().orElseThrow(),
                sizes.stream().mapToInt(RuntimeSettings.ImageSize::height).max().orElseThrow());
    }

    /** The configured size with the most pixels: the shape TensorRT tunes for. */
    static RuntimeSettings.ImageSize mostPixels(RuntimeSettings.TensorRtSettings trt) {
        return trt.imageSizes().stream()
                .max(Comparator.comparingInt((RuntimeSettings.ImageSize s) -> s.width() * s.height()))
                .orElseThrow();
    }
}
