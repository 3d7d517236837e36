package dev.sdfleet.pipeline.tokenizer;

/**
 * The C1 range U+0080..U+009F read as windows-1252 bytes, the "sloppy" way (the five undefined bytes stay as they
 * are). Both Python's {@code html.unescape} (for {@code &#128;} .. {@code &#159;}) and ftfy's {@code fix_c1_controls}
 * use this table.
 */
final class Windows1252 {

    private static final char[] C1 = {
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    };

    private Windows1252() {}

    /** The char windows-1252 gives byte {@code cp} (0x80..0x9F). */
    static char c1(int cp) {
        return C1[cp - 0x80];
    }

    static boolean isC1(int cp) {
        return cp >= 0x80 && cp <= 0x9F;
    }
}
