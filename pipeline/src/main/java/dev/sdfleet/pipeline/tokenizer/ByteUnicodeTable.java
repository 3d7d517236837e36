package dev.sdfleet.pipeline.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * GPT-2 / CLIP {@code bytes_to_unicode}: a reversible map from each of the 256 byte values to one printable char, so
 * that BPE can work on strings without whitespace or control characters. Printable Latin-1 bytes ({@code !..~},
 * {@code ¡..¬}, {@code ®..ÿ}) map to themselves; the other 68 bytes map to U+0100 onwards, in byte order.
 */
final class ByteUnicodeTable {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by char; -1 where the char is not the image of a byte. The largest image is U+0143. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];
    /** The 256 chars in the order HF builds its vocabulary from them (printable bytes first). */
    private static final List<String> VOCAB_ORDER;

    static {
        List<String> order = new ArrayList<>(256);
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable[b]) {
                BYTE_TO_CHAR[b] = (char) b;
                order.add(String.valueOf((char) b));
            }
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) next++;
                order.add(String.valueOf(BYTE_TO_CHAR[b]));
            }
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
        VOCAB_ORDER = Collections.unmodifiableList(order);
    }

    private ByteUnicodeTable() {}

    /** The char standing for byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a char stands for, or -1 when the char is not in the table. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The 256 single-char symbols in HF vocabulary order (ids 0..255 of a CLIP vocab). */
    static List<String> symbolsInVocabOrder() {
        return VOCAB_ORDER;
    }
}
