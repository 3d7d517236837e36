package dev.sdfleet.pipeline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.runtime.MissingComponentException;
import dev.sdfleet.pipeline.runtime.TensorRtProfiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model folder in the diffusers / optimum ONNX layout, located and classified before any session is opened.
 *
 * <p>Components are found by folder, not by the class names in {@code model_index.json}: optimum writes the PyTorch
 * pipeline's class names there, the diffusers script the ONNX ones.
 *
 * @param root the folder
 * @param name a display name (the folder name)
 * @param family the detected family
 * @param textEncoder {@code text_encoder/model.onnx}
 * @param textEncoder2 {@code text_encoder_2/model.onnx} (SDXL), or null
 * @param unet {@code unet/model.onnx}
 * @param vaeDecoder {@code vae_decoder/model.onnx}
 * @param vaeEncoder {@code vae_encoder/model.onnx}, or null when the export has none (no img2img then)
 * @param tokenizer the tokenizer folder
 * @param tokenizer2 the second tokenizer folder (SDXL), or null
 * @param schedulerConfig {@code scheduler/scheduler_config.json}
 * @param vaeScalingFactor the latent scaling factor (VAE config, else the family default)
 * @param forceZerosForEmptyPrompt SDXL: an absent negative prompt means zero embeddings, not the encoding of ""
 * @param geometry sizes from the components' config.json files, for TensorRT profiles (0 where unknown)
 */
public record ModelFolder(
        Path root,
        String name,
        ModelFamily family,
        Path textEncoder,
        Path textEncoder2,
        Path unet,
        Path vaeDecoder,
        Path vaeEncoder,
        Path tokenizer,
        Path tokenizer2,
        Path schedulerConfig,
        float vaeScalingFactor,
        boolean forceZerosForEmptyPrompt,
        TensorRtProfiles.Geometry geometry) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Locates every component under {@code root}.
     *
     * @throws MissingComponentException naming the first required component that is missing
     */
    public static ModelFolder open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new MissingComponentException("model folder", root);
        }
        Path textEncoder = require(root, "text_encoder", "model.onnx");
        Path unet = require(root, "unet", "model.onnx");
        Path vaeDecoder = require(root, "vae_decoder", "model.onnx");
        Path tokenizer = require(root, "tokenizer", "vocab.json").getParent();
        require(root, "tokenizer", "merges.txt");
        Path scheduler = require(root, "scheduler", "scheduler_config.json");
        Path vaeEncoder = optional(root.resolve("vae_encoder/model.onnx"));
        Path textEncoder2 = optional(root.resolve("text_encoder_2/model.onnx"));
        Path tokenizer2 = null;
        if (textEncoder2 != null) {
            tokenizer2 = require(root, "tokenizer_2", "vocab.json").getParent();
            require(root, "tokenizer_2", "merges.txt");
        }
        JsonNode index = readJson(root.resolve("model_index.json")).orElse(JSON.createObjectNode());
        ModelFamily family = textEncoder2 != null
                ? ModelFamily.SDXL
                : padsWithExclamation(tokenizer) ? ModelFamily.SD2 : ModelFamily.SD1;
        float scaling = readJson(root.resolve("vae_decoder/config.json"))
                .map(c -> c.path("scaling_factor"))
                .filter(JsonNode::isNumber)
                .map(n -> (float) n.asDouble())
                .orElse(family.defaultVaeScalingFactor());
        boolean forceZeros = index.path("force_zeros_for_empty_prompt").asBoolean(family == ModelFamily.SDXL);
        return new ModelFolder(
                root,
                root.getFileName().toString(),
                family,
                textEncoder,
                textEncoder2,
                unet,
                vaeDecoder,
                vaeEncoder,
                tokenizer,
                tokenizer2,
                scheduler,
                scaling,
                forceZeros,
                geometry(root));
    }

    private static TensorRtProfiles.Geometry geometry(Path root) {
        JsonNode unet = readJson(root.resolve("unet/config.json")).orElse(JSON.createObjectNode());
        JsonNode vae = readJson(root.resolve("vae_decoder/config.json")).orElse(JSON.createObjectNode());
        JsonNode encoder2 = readJson(root.resolve("text_encoder_2/config.json")).orElse(JSON.createObjectNode());
        int latentChannels = vae.path("latent_channels")
                .asInt(unet.path("out_channels").asInt(unet.path("in_channels").asInt(0)));
        return new TensorRtProfiles.Geometry(
                latentChannels,
                unet.path("cross_attention_dim").asInt(0),
                encoder2.path("projection_dim").asInt(0),
                unet.has("addition_embed_type") ? 6 : 0,
                unet.path("in_channels").asInt(latentChannels)); // 9 for an inpainting UNet
    }

    /** SD 2.x tokenizers (and SDXL's second one) pad with "!" instead of the end token. */
    static boolean padsWithExclamation(Path tokenizerDir) {
        for (String file : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
            Optional<JsonNode> json = readJson(tokenizerDir.resolve(file));
            if (json.isPresent() && json.get().has("pad_token")) {
                JsonNode pad = json.get().get("pad_token");
                String content =
                        pad.isTextual() ? pad.asText() : pad.path("content").asText();
                return "!".equals(content);
            }
        }
        return false;
    }

    private static Path require(Path root, String component, String file) {
        Path path = root.resolve(component).resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new MissingComponentException(component, path);
        }
        return path;
    }

    private static Path optional(Path path) {
        return Files.isRegularFile(path) ? path : null;
    }

    static Optional<JsonNode> readJson(Path path) {
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(path.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
