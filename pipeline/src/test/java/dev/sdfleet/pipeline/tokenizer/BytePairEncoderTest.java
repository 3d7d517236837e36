package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BytePairEncoderTest {

    private static Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new HashMap<>();
        List<String> tokens = TinyTokenizerFolder.tokens();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        return vocab;
    }

    @Test
    void lowestRankMergesFirstAndEverywhere() {
        // "aaaa</w>": ranks a+a (0) then aa+aa</w>? no: the last symbol is "a</w>", so only "a a" applies to the
        // first three: a a a a</w> -> aa a a</w> (left-to-right, non-overlapping) -> then "aa a" (rank 1).
        Map<String, Integer> vocab = vocab();
        vocab.put("aa", 9001);
        vocab.put("aaa", 9002);
        BytePairEncoder bpe =
                new BytePairEncoder(vocab, List.of(new String[] {"a", "a"}, new String[] {"aa", "a"}), -7);
        assertArrayEquals(new int[] {9002, vocab.get("a</w>")}, bpe.encodeWord("aaaa"));
        assertArrayEquals(new int[] {9001, vocab.get("a</w>")}, bpe.encodeWord("aaa"));
    }

    @Test
    void mergedSymbolsMissingFromTheVocabularyGetTheUnknownId() {
        BytePairEncoder bpe = new BytePairEncoder(vocab(), List.<String[]>of(new String[] {"x", "y</w>"}), -7);
        assertArrayEquals(new int[] {-7}, bpe.encodeWord("xy"));
    }

    @Test
    void singleByteWordsGetTheEndMarker() {
        Map<String, Integer> vocab = vocab();
        BytePairEncoder bpe = new BytePairEncoder(vocab, List.of(), -1);
        assertArrayEquals(new int[] {vocab.get("!</w>")}, bpe.encodeWord("!"));
        // A non-ASCII char is several bytes: two symbols for 'é' (C3 A9), the last with </w>.
        assertEquals(2, bpe.encodeWord("é").length);
    }

    @Test
    void cacheStaysBounded() {
        BytePairEncoder bpe = new BytePairEncoder(vocab(), List.of(), -1);
        for (int i = 0; i < BytePairEncoder.MAX_CACHED_WORDS + 100; i++) {
            bpe.encodeWord("w" + i);
        }
        assertTrue(bpe.cachedWords() <= BytePairEncoder.MAX_CACHED_WORDS);
    }

    @Test
    void laterDuplicateMergeLineSetsTheRankLikeAPythonDict() {
        PairRankTable table = new PairRankTable(4);
        table.put(1, 2, 0);
        table.put(3, 4, 1);
        table.put(1, 2, 2);
        assertEquals(2, table.rank(1, 2));
        assertEquals(1, table.rank(3, 4));
        assertEquals(-1, table.rank(2, 1));
    }
}
