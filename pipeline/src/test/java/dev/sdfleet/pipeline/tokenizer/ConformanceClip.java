package dev.sdfleet.pipeline.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.testing.SharedFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real CLIP vocabulary and golden files from {@code shared/conformance/clip}; tests skip without them. */
final class ConformanceClip {

    record GoldenLine(String prompt, int[] inputIds, String variant) {}

    private static volatile ClipTokenizer shared;

    private ConformanceClip() {}

    static Path folder() {
        return SharedFolder.require("conformance/clip");
    }

    /** One tokenizer for all tests of a run: loading the 49408-token vocabulary takes a moment. */
    static ClipTokenizer tokenizer() {
        ClipTokenizer t = shared;
        if (t == null) {
            synchronized (ConformanceClip.class) {
                if (shared == null) {
                    shared = ClipTokenizer.load(folder());
                }
                t = shared;
            }
        }
        return t;
    }

    static List<GoldenLine> golden() {
        return read("golden-public.jsonl");
    }

    static List<GoldenLine> variants() {
        return read("golden-public-variants.jsonl");
    }

    private static List<GoldenLine> read(String name) {
        ObjectMapper json = new ObjectMapper();
        List<GoldenLine> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(folder().resolve(name))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                int[] ids = new int[node.get("input_ids").size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = node.get("input_ids").get(i).intValue();
                }
                JsonNode variant = node.get("variant");
                lines.add(new GoldenLine(
                        node.get("prompt").textValue(), ids, variant == null ? "openai" : variant.textValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
