package dev.sdfleet.pipeline.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP BPE tokenizer with the "openai" behaviour of {@code clip/simple_tokenizer.py} (ftfy-style clean-up, HTML
 * unescape twice, whitespace collapse, lower-case, split regex, byte-level BPE) and Hugging Face padding: every prompt
 * becomes {@code [bos] + body[:maxLength-2] + [eos]} padded with the model's pad id.
 *
 * <p>Instances are immutable apart from a bounded concurrent word cache, so one tokenizer is safely shared by all
 * request threads. Special token ids are read from the vocabulary, never assumed, so the same code serves the real
 * 49408-token CLIP vocabulary and small test vocabularies.
 */
public final class ClipTokenizer {

    /** Ids per prompt of every CLIP text encoder used by Stable Diffusion; the default {@link #maxLength()}. */
    public static final int CONTEXT_LENGTH = 77;

    private static final Logger LOG = LoggerFactory.getLogger(ClipTokenizer.class);

    /** simple_tokenizer.py's pattern. Digits are single tokens; "'s" etc. match anywhere, even inside quotes. */
    private static final Pattern SPLIT = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    /** Longest dropped text written to the truncation warning; a 10k-character prompt should not flood the log. */
    private static final int MAX_LOGGED_DROPPED_CHARS = 300;

    private final BytePairEncoder bpe;
    private final Map<String, Integer> literalSpecialIds;
    private final String[] tokenById;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int maxLength;

    private ClipTokenizer(TokenizerFiles files, TokenizerSettings settings) {
        Map<String, Integer> vocab = files.vocab();
        String vocabFile = files.folder().resolve(TokenizerFiles.VOCAB_FILE).toString();
        this.vocabSize = vocab.size();
        this.bosId = requireId(vocab, settings.bos(), "bos", vocabFile);
        this.eosId = requireId(vocab, settings.eos(), "eos", vocabFile);
        this.padId = requireId(vocab, settings.pad(), "pad (from " + settings.padSource() + ")", vocabFile);
        int unkId = requireId(vocab, settings.unk(), "unk", vocabFile);
        this.maxLength = settings.modelMaxLength();
        this.bpe = new BytePairEncoder(vocab, files.merges(), unkId);
        this.tokenById = tokensById(vocab);
        // simple_tokenizer.py seeds its BPE cache with the two literals so they map to themselves, whole.
        Map<String, Integer> literals = new HashMap<>();
        for (String literal : List.of(TokenizerSettings.DEFAULT_BOS, TokenizerSettings.DEFAULT_EOS)) {
            if (vocab.containsKey(literal)) {
                literals.put(literal, vocab.get(literal));
            }
        }
        this.literalSpecialIds = Map.copyOf(literals);
    }

    /**
     * Loads a tokenizer from a folder holding {@code vocab.json} and {@code merges.txt}, plus the optional
     * {@code special_tokens_map.json} / {@code tokenizer_config.json} for the pad token and {@code model_max_length}.
     * A diffusers model folder is accepted too; its {@code tokenizer/} sub-folder is used then.
     *
     * @param dir tokenizer folder or diffusers model folder
     * @return the tokenizer, ready to share between threads
     * @throws IllegalArgumentException           when a required file is missing (the message names it) or a
     *                                            special token is not in the vocabulary
     * @throws java.io.UncheckedIOException        when a file cannot be read or parsed (the message names it)
     */
    public static ClipTokenizer load(Path dir) {
        Objects.requireNonNull(dir, "dir");
        TokenizerFiles files = TokenizerFiles.read(dir);
        TokenizerSettings settings = TokenizerSettings.read(files.folder(), CONTEXT_LENGTH);
        ClipTokenizer tokenizer = new ClipTokenizer(files, settings);
        LOG.info(
                "Loaded CLIP tokenizer from {}: {} tokens, {} merges, bos {}, eos {}, pad {} ({}), max length {}",
                files.folder(),
                tokenizer.vocabSize,
                tokenizer.bpe.mergeCount(),
                tokenizer.bosId,
                tokenizer.eosId,
                tokenizer.padId,
                settings.pad(),
                tokenizer.maxLength);
        return tokenizer;
    }

    /**
     * Encodes a prompt for the text encoder: {@code [bos] + body + [eos]}, padded with {@link #padId()} to
     * {@link #maxLength()} ids. A body longer than {@code maxLength - 2} is cut and the end token still follows it;
     * the result then says what was dropped, and a WARN is logged.
     *
     * @param prompt user text, any length; {@code ""} gives bos, eos and padding
     */
    public TokenizedPrompt encode(String prompt) {
        int[] body = tokenize(prompt);
        int maxBody = maxLength - 2;
        int kept = Math.min(body.length, maxBody);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = bosId;
        System.arraycopy(body, 0, ids, 1, kept);
        ids[kept + 1] = eosId;
        if (body.length <= maxBody) {
            return new TokenizedPrompt(ids, false, "");
        }
        String dropped = decode(Arrays.copyOfRange(body, maxBody, body.length));
        LOG.warn(
                "Prompt truncated to {} tokens; {} tokens dropped: \"{}\"",
                maxBody,
                body.length - maxBody,
                abbreviate(dropped));
        return new TokenizedPrompt(ids, true, dropped);
    }

    /**
     * The body ids of {@code text}: clean-up, split and BPE, without bos/eos, padding or truncation. A literal
     * {@code <|startoftext|>} or {@code <|endoftext|>} in the text becomes that special token's id.
     */
    public int[] tokenize(String text) {
        Objects.requireNonNull(text, "text");
        String cleaned = ClipTextCleaner.clean(text);
        int[] out = new int[Math.max(16, cleaned.length())];
        int size = 0;
        Matcher m = SPLIT.matcher(cleaned);
        while (m.find()) {
            String piece = m.group();
            Integer special = literalSpecialIds.get(piece);
            int[] ids = special != null ? new int[] {special} : bpe.encodeWord(piece);
            if (size + ids.length > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, size + ids.length));
            }
            System.arraycopy(ids, 0, out, size, ids.length);
            size += ids.length;
        }
        return Arrays.copyOf(out, size);
    }

    /**
     * Turns ids back into text like simple_tokenizer.py's {@code decode}: tokens joined, byte symbols turned back
     * into UTF-8 (invalid sequences become U+FFFD), each {@code </w>} a space, then stripped. Special tokens are
     * written literally. Lower-casing and clean-up are of course not undone.
     *
     * @throws IllegalArgumentException for an id that is not in the vocabulary
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            String token = id >= 0 && id < tokenById.length ? tokenById[id] : null;
            if (token == null) {
                throw new IllegalArgumentException("Token id " + id + " is not in the vocabulary");
            }
            for (int i = 0; i < token.length(); i++) {
                int b = ByteUnicodeTable.byteOf(token.charAt(i));
                if (b >= 0) {
                    bytes.write(b);
                } else {
                    // Only tokens outside the byte alphabet (added tokens) get here; keep their text as it is.
                    bytes.writeBytes(String.valueOf(token.charAt(i)).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8).replace(BytePairEncoder.END_OF_WORD, " ");
        return text.strip();
    }

    /** Id of the start-of-text token, first in every encoded prompt. */
    public int bosId() {
        return bosId;
    }

    /** Id of the end-of-text token, right after the (possibly truncated) body. */
    public int eosId() {
        return eosId;
    }

    /** Id that fills the encoded prompt after the end token: eos for SD 1.x, "!" (0) for SD 2.x. */
    public int padId() {
        return padId;
    }

    /** Number of entries in vocab.json (49408 for CLIP). */
    public int vocabSize() {
        return vocabSize;
    }

    /** Ids per encoded prompt: tokenizer_config.json's model_max_length, else {@link #CONTEXT_LENGTH}. */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public String toString() {
        return "ClipTokenizer[vocabSize=" + vocabSize + ", merges=" + bpe.mergeCount() + ", bos=" + bosId + ", eos="
                + eosId + ", pad=" + padId + ", maxLength=" + maxLength + "]";
    }

    private static int requireId(Map<String, Integer> vocab, String token, String role, String vocabFile) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("The " + role + " token \"" + token + "\" is not in " + vocabFile);
        }
        return id;
    }

    private static String[] tokensById(Map<String, Integer> vocab) {
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        String[] byId = new String[maxId + 1];
        // A later duplicate id wins, like the reference's {v: k for k, v in encoder.items()}.
        vocab.forEach((token, id) -> byId[id] = token);
        return byId;
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_LOGGED_DROPPED_CHARS
                ? text
                : text.substring(0, MAX_LOGGED_DROPPED_CHARS) + "… (" + text.length() + " chars)";
    }
}
