package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading rules and encoding on a tiny vocabulary written to a temp folder; needs nothing from shared/. */
class ClipTokenizerLoadingTest {

    @TempDir
    Path dir;

    @Test
    void specialIdsAreReadFromTheVocabularyNotAssumed() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(TinyTokenizerFolder.write(dir));
        int size = TinyTokenizerFolder.tokens().size();
        assertEquals(size, tokenizer.vocabSize());
        assertEquals(size - 2, tokenizer.bosId());
        assertEquals(size - 1, tokenizer.eosId());
        assertEquals(size - 1, tokenizer.padId()); // default pad: <|endoftext|>
        assertEquals(77, tokenizer.maxLength());
    }

    @Test
    void tinyMergesAreApplied() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(TinyTokenizerFolder.write(dir));
        int cat = TinyTokenizerFolder.idOf("cat</w>");
        int the = TinyTokenizerFolder.idOf("the</w>");
        int dog = TinyTokenizerFolder.idOf("dog</w>");
        assertArrayEquals(new int[] {the, cat, the, dog}, tokenizer.tokenize("The cat the\tDOG"));
        // "cab": only "c a" merges, "b</w>" stays a byte symbol with its end marker.
        assertArrayEquals(
                new int[] {TinyTokenizerFolder.idOf("ca"), TinyTokenizerFolder.idOf("b</w>")},
                tokenizer.tokenize("cab"));
        assertEquals("the cat cab", tokenizer.decode(tokenizer.tokenize("the cat cab")));
    }

    @Test
    void padTokenStringFromSpecialTokensMap() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(dir, "special_tokens_map.json", """
                {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "!",
                 "unk_token": "<|endoftext|>"}""");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);

        assertEquals(0, tokenizer.padId());
        int[] ids = tokenizer.encode("cat").inputIds();
        assertEquals(tokenizer.bosId(), ids[0]);
        assertEquals(TinyTokenizerFolder.idOf("cat</w>"), ids[1]);
        assertEquals(tokenizer.eosId(), ids[2]);
        for (int i = 3; i < ids.length; i++) {
            assertEquals(0, ids[i], "pad at " + i);
        }
    }

    @Test
    void padTokenObjectFromSpecialTokensMap() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(dir, "tokenizer_config.json", "{\"pad_token\": \"!\"}");
        TinyTokenizerFolder.writeFile(dir, "special_tokens_map.json", """
                {"pad_token": {"content": "<|endoftext|>", "lstrip": false, "normalized": true,
                               "rstrip": false, "single_word": false}}""");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);

        // special_tokens_map.json wins over tokenizer_config.json, as in transformers.
        assertEquals(tokenizer.eosId(), tokenizer.padId());
        assertEquals(tokenizer.eosId(), tokenizer.encode("cat").inputIds()[76]);
    }

    @Test
    void padTokenAndLengthFromTokenizerConfig() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(dir, "tokenizer_config.json", """
                {"model_max_length": 16, "pad_token": {"__type": "AddedToken", "content": "!"}}""");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);

        assertEquals(0, tokenizer.padId());
        assertEquals(16, tokenizer.maxLength());
        TokenizedPrompt cut = tokenizer.encode("cat ".repeat(14) + "dog the");
        assertEquals(16, cut.inputIds().length);
        assertEquals(tokenizer.eosId(), cut.inputIds()[15]);
        assertTrue(cut.truncated());
        assertEquals("dog the", cut.droppedText());
    }

    @Test
    void hfUnsetMaxLengthFallsBackTo77() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(
                dir, "tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(77, ClipTokenizer.load(dir).maxLength());
    }

    @Test
    void truncationKeepsEosAndReportsTheDroppedText() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(TinyTokenizerFolder.write(dir));
        TokenizedPrompt fits = tokenizer.encode("cat ".repeat(75));
        assertFalse(fits.truncated());
        assertEquals("", fits.droppedText());

        TokenizedPrompt cut = tokenizer.encode("cat ".repeat(75) + "the dog");
        assertTrue(cut.truncated());
        assertEquals(tokenizer.eosId(), cut.inputIds()[76]);
        assertEquals("the dog", cut.droppedText());
        assertEquals(TinyTokenizerFolder.idOf("cat</w>"), cut.inputIds()[75]);
    }

    @Test
    void diffusersModelFolderUsesItsTokenizerSubfolder() throws IOException {
        Path tokenizerDir = Files.createDirectories(dir.resolve("tokenizer"));
        TinyTokenizerFolder.write(tokenizerDir);
        TinyTokenizerFolder.writeFile(tokenizerDir, "special_tokens_map.json", "{\"pad_token\": \"!\"}");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(0, tokenizer.padId());
        assertArrayEquals(new int[] {TinyTokenizerFolder.idOf("dog</w>")}, tokenizer.tokenize("dog"));
    }

    @Test
    void missingMergesIsNamed() throws IOException {
        TinyTokenizerFolder.write(dir);
        Files.delete(dir.resolve("merges.txt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void missingVocabIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void missingFolderIsNamed() {
        Path absent = dir.resolve("no-such-model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

    @Test
    void brokenVocabIsNamed() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(dir, "vocab.json", "{\"a\": 0,");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void padTokenMissingFromVocabularyIsNamed() throws IOException {
        TinyTokenizerFolder.write(dir);
        TinyTokenizerFolder.writeFile(dir, "special_tokens_map.json", "{\"pad_token\": \"<pad>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(
                e.getMessage().contains("<pad>") && e.getMessage().contains("special_tokens_map.json"), e.getMessage());
    }

    @Test
    void mergesPastTheHfCapAreIgnored() throws IOException {
        TinyTokenizerFolder.write(dir);
        // 48894 filler merges of symbols that never occur, then "a b": rank 48894, one past HF's cap.
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int i = 0; i < TokenizerFiles.HF_MAX_MERGES; i++) {
            merges.append("x").append(i).append(" y\n");
        }
        merges.append("a b\n");
        Files.writeString(dir.resolve("merges.txt"), merges);
        TokenizerFiles files = TokenizerFiles.read(dir);
        assertEquals(TokenizerFiles.HF_MAX_MERGES, files.merges().size());
        assertFalse(Arrays.equals(
                new String[] {"a", "b"}, files.merges().get(files.merges().size() - 1)));
    }
}
