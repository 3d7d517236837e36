package dev.sdfleet.pipeline.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from a pair of symbol ids to its merge rank, filled once and then only read. It replaces a
 * {@code Map<Long, Integer>} on the hottest path of BPE: a lookup boxes nothing and touches two arrays.
 */
final class PairRankTable {

    private static final int EMPTY = -1;

    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    private final int shift;

    PairRankTable(int expectedPairs) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedPairs * 2 - 1)) << 1; // load factor <= 0.5
        keys = new long[capacity];
        ranks = new int[capacity];
        Arrays.fill(ranks, EMPTY);
        mask = capacity - 1;
        shift = Long.numberOfLeadingZeros(capacity) + 1; // 64 - log2(capacity): keep the top, best-mixed bits
    }

    /** Sets the rank of (left, right), replacing an earlier one: like Python's dict of merges, the later line wins. */
    void put(int left, int right, int rank) {
        long key = key(left, right);
        int slot = slot(key);
        while (ranks[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
    }

    /** The rank of (left, right), or -1 when the pair is never merged. */
    int rank(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (ranks[slot] != EMPTY) {
            if (keys[slot] == key) {
                return ranks[slot];
            }
            slot = (slot + 1) & mask;
        }
        return EMPTY;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the small, dense symbol ids
        return (int) (h >>> shift);
    }
}
