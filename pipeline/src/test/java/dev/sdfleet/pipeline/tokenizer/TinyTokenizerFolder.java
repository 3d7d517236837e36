package dev.sdfleet.pipeline.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small tokenizer folder in the HF CLIP layout: the 256 byte symbols, their {@code </w>} forms, a few
 * merges, then {@code <|startoftext|>} and {@code <|endoftext|>} last. So "!" is id 0, as in the real vocabulary.
 */
final class TinyTokenizerFolder {

    /** "cat", "dog" and "the" become one token each; other words stay byte symbols. */
    static final List<String> MERGES = List.of("c a", "ca t</w>", "d o", "do g</w>", "t h", "th e</w>");

    private TinyTokenizerFolder() {}

    /** All tokens, by id. */
    static List<String> tokens() {
        List<String> tokens = new ArrayList<>(ByteUnicodeTable.symbolsInVocabOrder());
        ByteUnicodeTable.symbolsInVocabOrder().forEach(s -> tokens.add(s + "</w>"));
        MERGES.forEach(m -> tokens.add(m.replace(" ", "")));
        tokens.add("<|startoftext|>");
        tokens.add("<|endoftext|>");
        return tokens;
    }

    static int idOf(String token) {
        return tokens().indexOf(token);
    }

    /** Writes vocab.json and merges.txt into {@code dir} and returns it. */
    static Path write(Path dir) throws IOException {
        List<String> tokens = tokens();
        StringBuilder vocab = new StringBuilder("{");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.append(id == 0 ? "" : ",")
                    .append(jsonString(tokens.get(id)))
                    .append(':')
                    .append(id);
        }
        Files.writeString(dir.resolve("vocab.json"), vocab.append('}'), StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("merges.txt"),
                "#version: 0.2\n" + String.join("\n", MERGES) + "\n",
                StandardCharsets.UTF_8);
        return dir;
    }

    static void writeFile(Path dir, String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
