package dev.sdfleet.pipeline.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional settings of a HF tokenizer folder: special token strings and the context length. The pad token is
 * what differs between models: {@code <|endoftext|>} in SD 1.x and SDXL's first encoder, {@code "!"} (id 0) in SD 2.x
 * and SDXL's second encoder; using the wrong one changes the text embeddings.
 *
 * <p>Sources, strongest first, as in {@code transformers}' {@code from_pretrained}: {@code special_tokens_map.json},
 * then {@code tokenizer_config.json}, then the CLIPTokenizer defaults. A token may be written as a string or as an
 * object with a {@code "content"} field.
 *
 * @param bos            start-of-text token
 * @param eos            end-of-text token, always kept at the end of a truncated prompt
 * @param unk            token for BPE output missing from the vocabulary
 * @param pad            padding token
 * @param padSource      file that named the pad token, or "default"; for error messages and the load log
 * @param modelMaxLength ids per encoded prompt
 */
record TokenizerSettings(String bos, String eos, String unk, String pad, String padSource, int modelMaxLength) {

    static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";
    static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";
    static final String DEFAULT_BOS = "<|startoftext|>";
    static final String DEFAULT_EOS = "<|endoftext|>";

    /** A configured length beyond this is HF's "unset" marker (1e30) or a mistake; the CLIP default applies then. */
    private static final int MAX_SANE_LENGTH = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(TokenizerSettings.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerSettings read(Path folder, int defaultMaxLength) {
        Path mapPath = folder.resolve(SPECIAL_TOKENS_MAP_FILE);
        Path configPath = folder.resolve(TOKENIZER_CONFIG_FILE);
        JsonNode map = readOptional(mapPath);
        JsonNode config = readOptional(configPath);

        String padFromMap = token(map, "pad_token");
        String padFromConfig = token(config, "pad_token");
        String pad;
        String padSource;
        if (padFromMap != null) {
            pad = padFromMap;
            padSource = mapPath.toString();
        } else if (padFromConfig != null) {
            pad = padFromConfig;
            padSource = configPath.toString();
        } else {
            pad = DEFAULT_EOS;
            padSource = "default";
        }
        return new TokenizerSettings(
                firstOf(token(map, "bos_token"), token(config, "bos_token"), DEFAULT_BOS),
                firstOf(token(map, "eos_token"), token(config, "eos_token"), DEFAULT_EOS),
                firstOf(token(map, "unk_token"), token(config, "unk_token"), DEFAULT_EOS),
                pad,
                padSource,
                maxLength(config, configPath, defaultMaxLength));
    }

    private static int maxLength(JsonNode config, Path configPath, int defaultMaxLength) {
        JsonNode node = config == null ? null : config.get("model_max_length");
        if (node == null || node.isNull()) {
            return defaultMaxLength;
        }
        if (node.isNumber() && node.canConvertToInt() && node.intValue() >= 2 && node.intValue() <= MAX_SANE_LENGTH) {
            return node.intValue();
        }
        LOG.warn("Ignoring model_max_length {} in {}; using {}", node, configPath, defaultMaxLength);
        return defaultMaxLength;
    }

    /** A token entry as a string, or null when absent or JSON null. */
    private static String token(JsonNode root, String key) {
        JsonNode node = root == null ? null : root.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.textValue() : null;
    }

    private static String firstOf(String first, String second, String fallback) {
        return Optional.ofNullable(first).or(() -> Optional.ofNullable(second)).orElse(fallback);
    }

    private static JsonNode readOptional(Path path) {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read tokenizer settings " + path + ": " + e.getMessage(), e);
        }
    }
}
