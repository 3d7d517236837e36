package dev.sdfleet.pipeline.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two files of a Hugging Face CLIP tokenizer folder, read: {@code vocab.json} (token to id) and
 * {@code merges.txt} (a {@code #version} header, then one merge "left right" per line, in rank order).
 *
 * @param folder the folder the files came from (after following a diffusers {@code tokenizer/} sub-folder)
 * @param vocab  token to id, in file order
 * @param merges merge pairs by rank, already capped like HF
 */
record TokenizerFiles(Path folder, Map<String, Integer> vocab, List<String[]> merges) {

    static final String VOCAB_FILE = "vocab.json";
    static final String MERGES_FILE = "merges.txt";
    /** Where a diffusers pipeline folder keeps the (first) tokenizer. */
    static final String DIFFUSERS_TOKENIZER_DIR = "tokenizer";

    /**
     * HF's {@code CLIPTokenizer} keeps only {@code merges[1:49152-256-2+1]}, i.e. at most 48894 merges after the
     * header. 49152 is CLIP's BPE vocabulary before special tokens, counting the 256 byte symbols once: 256 byte
     * symbols + 256 {@code </w>} forms + 48894 merges + 2 specials = 49408, the size of the real vocab.json. So for
     * the real files the cap equals vocabSize - 2*256 - 2 and keeps all 48894 merges; a smaller merges file (such as
     * the project's own tiny tokenizer) is used whole; a longer one is cut exactly where HF cuts it.
     */
    static final int HF_MAX_MERGES = 49152 - 256 - 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the tokenizer files of {@code dir}, or of {@code dir/tokenizer} when {@code dir} is a diffusers model
     * folder.
     *
     * @throws IllegalArgumentException when the folder or one of the two files is missing, naming it
     * @throws UncheckedIOException     when a file cannot be read or parsed, naming it
     */
    static TokenizerFiles read(Path dir) {
        Path folder = resolveFolder(dir);
        Path mergesPath = folder.resolve(MERGES_FILE);
        if (!Files.isRegularFile(mergesPath)) {
            throw new IllegalArgumentException("CLIP tokenizer file " + MERGES_FILE + " is missing: " + mergesPath
                    + " (a tokenizer folder needs " + VOCAB_FILE + " and " + MERGES_FILE + ")");
        }
        return new TokenizerFiles(folder, readVocab(folder.resolve(VOCAB_FILE)), readMerges(mergesPath));
    }

    private static Path resolveFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("CLIP tokenizer folder does not exist: " + dir);
        }
        if (Files.isRegularFile(dir.resolve(VOCAB_FILE))) {
            return dir;
        }
        Path diffusers = dir.resolve(DIFFUSERS_TOKENIZER_DIR);
        if (Files.isRegularFile(diffusers.resolve(VOCAB_FILE))) {
            return diffusers;
        }
        throw new IllegalArgumentException(
                "CLIP tokenizer file " + VOCAB_FILE + " is missing: " + dir.resolve(VOCAB_FILE)
                        + " (nor is there a diffusers " + DIFFUSERS_TOKENIZER_DIR + "/" + VOCAB_FILE + ")");
    }

    private static Map<String, Integer> readVocab(Path path) {
        Map<String, Integer> vocab;
        try {
            vocab = JSON.readValue(path.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read CLIP vocabulary " + path + ": " + e.getMessage(), e);
        }
        if (vocab == null || vocab.isEmpty()) {
            throw new IllegalArgumentException("CLIP vocabulary " + path + " has no tokens");
        }
        vocab.forEach((token, id) -> {
            if (id == null || id < 0) {
                throw new IllegalArgumentException(
                        "CLIP vocabulary " + path + " gives token " + token + " the invalid id " + id);
            }
        });
        return vocab;
    }

    private static List<String[]> readMerges(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read CLIP merges " + path + ": " + e.getMessage(), e);
        }
        // The "#version: 0.2" header is no merge. HF's slow tokenizer drops line 0 unconditionally; skipping only a
        // real header (as the tokenizers library does) gives the same result on every real file.
        int first = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
        int end = (int) Math.min(lines.size(), (long) first + HF_MAX_MERGES);
        List<String[]> merges = new ArrayList<>(end - first);
        for (String line : lines.subList(first, end)) {
            String[] pair = line.strip().split("\\s+");
            // Python's tuple of a blank or malformed line never equals a pair, so such a line merges nothing.
            if (pair.length == 2) {
                merges.add(pair);
            }
        }
        return merges;
    }
}
