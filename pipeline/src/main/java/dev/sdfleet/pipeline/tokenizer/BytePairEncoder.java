package dev.sdfleet.pipeline.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's {@code bpe()}: one pre-tokenized word to vocabulary ids. The word's UTF-8 bytes become byte symbols, the last
 * one carrying {@code </w>}; then the adjacent pair with the lowest merge rank is merged everywhere (left to right,
 * non-overlapping) until no adjacent pair has a rank.
 *
 * <p>Symbols are interned strings: every string that a byte or a merge can produce gets a small int id once, so a
 * BPE step compares ints and looks pairs up in a {@link PairRankTable} instead of building strings. Two symbols are
 * equal exactly when their strings are, as in the Python reference. Immutable apart from a bounded, concurrent
 * cache, so one instance serves all threads.
 */
final class BytePairEncoder {

    /** End-of-word marker that CLIP appends to the last symbol of every word. */
    static final String END_OF_WORD = "</w>";

    /** Bound of the per-word cache; prompts reuse few words, and a full cache is simply cleared (cheap, rare). */
    static final int MAX_CACHED_WORDS = 20_000;

    private final int[] byteSymbol = new int[256];
    private final int[] byteEndSymbol = new int[256];
    private final PairRankTable ranks;
    /** By rank: the pair's left and right symbols and the symbol that merging them produces. */
    private final int[] mergeLeft;

    private final int[] mergeRight;
    private final int[] mergedSymbol;
    /** By symbol: its vocabulary id, or the unknown-token id when the vocabulary lacks it. */
    private final int[] symbolTokenId;

    private final int mergeCount;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab  token string to id
     * @param merges merge pairs by rank (index 0 is merged first)
     * @param unkId  id for a produced symbol that is not in {@code vocab} (HF CLIP maps it to its unk token)
     */
    BytePairEncoder(Map<String, Integer> vocab, List<String[]> merges, int unkId) {
        Map<String, Integer> symbolIds = new HashMap<>(merges.size() * 2 + 1024);
        List<String> symbols = new ArrayList<>(merges.size() + 512);
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(ByteUnicodeTable.charOf(b));
            byteSymbol[b] = intern(symbol, symbolIds, symbols);
            byteEndSymbol[b] = intern(symbol + END_OF_WORD, symbolIds, symbols);
        }
        mergeCount = merges.size();
        ranks = new PairRankTable(mergeCount);
        mergeLeft = new int[mergeCount];
        mergeRight = new int[mergeCount];
        mergedSymbol = new int[mergeCount];
        for (int rank = 0; rank < mergeCount; rank++) {
            String[] pair = merges.get(rank);
            int left = intern(pair[0], symbolIds, symbols);
            int right = intern(pair[1], symbolIds, symbols);
            ranks.put(left, right, rank);
            mergeLeft[rank] = left;
            mergeRight[rank] = right;
            mergedSymbol[rank] = intern(pair[0] + pair[1], symbolIds, symbols);
        }
        symbolTokenId = new int[symbols.size()];
        for (int s = 0; s < symbols.size(); s++) {
            symbolTokenId[s] = vocab.getOrDefault(symbols.get(s), unkId);
        }
    }

    private static int intern(String symbol, Map<String, Integer> symbolIds, List<String> symbols) {
        return symbolIds.computeIfAbsent(symbol, s -> {
            symbols.add(s);
            return symbols.size() - 1;
        });
    }

    /** Number of merges that have a rank. */
    int mergeCount() {
        return mergeCount;
    }

    /** Token ids of one word (a match of the split regex other than a special token); never empty for a non-empty word. */
    int[] encodeWord(String word) {
        int[] cached = cache.get(word);
        if (cached == null) {
            cached = bpe(word);
            if (cache.size() >= MAX_CACHED_WORDS) {
                cache.clear();
            }
            cache.put(word, cached);
        }
        return cached; // callers copy, never modify
    }

    private int[] bpe(String word) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        int length = utf8.length;
        int[] symbols = new int[length];
        for (int i = 0; i < length - 1; i++) {
            symbols[i] = byteSymbol[utf8[i] & 0xFF];
        }
        symbols[length - 1] = byteEndSymbol[utf8[length - 1] & 0xFF];
        while (length > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < length - 1; i++) {
                int rank = ranks.rank(symbols[i], symbols[i + 1]);
                if (rank >= 0 && rank < bestRank) {
                    bestRank = rank;
                }
            }
            if (bestRank == Integer.MAX_VALUE) {
                break;
            }
            length = mergeEverywhere(symbols, length, bestRank);
        }
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = symbolTokenId[symbols[i]];
        }
        return ids;
    }

    /** Merges every left-to-right, non-overlapping occurrence of the pair of {@code rank}, in place. */
    private int mergeEverywhere(int[] symbols, int length, int rank) {
        int left = mergeLeft[rank];
        int right = mergeRight[rank];
        int merged = mergedSymbol[rank];
        int written = 0;
        int i = 0;
        while (i < length) {
            if (symbols[i] == left && i < length - 1 && symbols[i + 1] == right) {
                symbols[written++] = merged;
                i += 2;
            } else {
                symbols[written++] = symbols[i++];
            }
        }
        return written;
    }

    /** For tests: the cache never grows past its bound. */
    int cachedWords() {
        return cache.size();
    }

    @Override
    public String toString() {
        return "BytePairEncoder[merges=" + mergeCount + ", symbols=" + symbolTokenId.length + "]";
    }
}
