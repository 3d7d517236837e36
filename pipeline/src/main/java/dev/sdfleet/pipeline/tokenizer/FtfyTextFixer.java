package dev.sdfleet.pipeline.tokenizer;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of {@code ftfy.fix_text} (ftfy 6 defaults) that changes ordinary prompts, in ftfy's order. CLIP's
 * reference tokenizer runs ftfy first, and the conformance ids were made with exactly this list (see
 * {@code shared/conformance/clip/README.md}): HTML unescape only when the text has no '<', terminal escapes removed,
 * C1 controls read as windows-1252, Latin ligatures split, full-width forms narrowed, curly quotes straightened,
 * line breaks unified, lone surrogates replaced, control characters removed, NFC.
 *
 * <p>Mojibake repair is left out: it is the identity on text that was not mis-decoded, which prompts arriving as
 * JSON strings are not. Like the conformance emulation this makes one pass; real ftfy also cuts the text at line
 * breaks and decides the '<' rule per segment, which only matters for triple-escaped entities.
 */
final class FtfyTextFixer {

    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*[a-zA-Z]");

    /** ftfy's {@code LIGATURES} table: Latin ligatures and digraphs, split without applying all of NFKC. */
    private static final Map<Integer, String> LIGATURES = Map.ofEntries(
            Map.entry(0x0132, "IJ"),
            Map.entry(0x0133, "ij"),
            Map.entry(0x0149, "\u02BCn"),
            Map.entry(0x01F1, "DZ"),
            Map.entry(0x01F2, "Dz"),
            Map.entry(0x01F3, "dz"),
            Map.entry(0x01C4, "D\u017D"),
            Map.entry(0x01C5, "D\u017E"),
            Map.entry(0x01C6, "d\u017E"),
            Map.entry(0x01C7, "LJ"),
            Map.entry(0x01C8, "Lj"),
            Map.entry(0x01C9, "lj"),
            Map.entry(0x01CA, "NJ"),
            Map.entry(0x01CB, "Nj"),
            Map.entry(0x01CC, "nj"),
            Map.entry(0xFB00, "ff"),
            Map.entry(0xFB01, "fi"),
            Map.entry(0xFB02, "fl"),
            Map.entry(0xFB03, "ffi"),
            Map.entry(0xFB04, "ffl"),
            Map.entry(0xFB05, "\u017Ft"),
            Map.entry(0xFB06, "st"));

    private FtfyTextFixer() {}

    /** Applies the fixes; the result is NFC-normalized. */
    static String fixText(String text) {
        String s = text;
        if (s.indexOf('<') < 0) {
            // ftfy's unescape_html="auto": text with '<' may be real HTML, so entities are left alone then.
            s = HtmlUnescaper.unescape(s);
        }
        if (s.indexOf('\u001B') >= 0) {
            s = TERMINAL_ESCAPE.matcher(s).replaceAll("");
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\r' && i < s.length() && s.charAt(i) == '\n') {
                continue; // CRLF -> LF: the LF that follows is kept
            }
            appendAfterC1(out, cp);
        }
        String fixed = out.toString();
        return Normalizer.isNormalized(fixed, Normalizer.Form.NFC)
                ? fixed
                : Normalizer.normalize(fixed, Normalizer.Form.NFC);
    }

    // Each step hands its output, char by char, to the next one, so that e.g. the C1 byte 0x92 becomes U+2019 and
    // then a straight quote, exactly as ftfy's sequence of whole-string passes would.

    private static void appendAfterC1(StringBuilder out, int cp) {
        if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
            appendAfterWidth(out, 0xFFFD); // a lone surrogate (paired ones arrive as one code point)
            return;
        }
        int fixed = Windows1252.isC1(cp) ? Windows1252.c1(cp) : cp;
        String ligature = LIGATURES.get(fixed);
        if (ligature == null) {
            appendAfterLigatures(out, fixed);
        } else {
            ligature.chars().forEach(c -> appendAfterLigatures(out, c));
        }
    }

    private static void appendAfterLigatures(StringBuilder out, int cp) {
        if (cp == 0x3000) {
            appendAfterWidth(out, ' ');
        } else if (cp >= 0xFF01 && cp <= 0xFFEF) {
            String narrow = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKC);
            narrow.codePoints().forEach(c -> appendAfterWidth(out, c));
        } else {
            appendAfterWidth(out, cp);
        }
    }

    private static void appendAfterWidth(StringBuilder out, int cp) {
        int c = cp;
        if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) {
            c = '\'';
        } else if (c >= 0x201C && c <= 0x201F) {
            c = '"';
        } else if (c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x0085) {
            c = '\n';
        }
        if (!isRemovedControl(c)) {
            out.appendCodePoint(c);
        }
    }

    /** ftfy's {@code remove_control_chars} set; tab, LF, FF and CR survive (CR was turned into LF already). */
    private static boolean isRemovedControl(int c) {
        return (c <= 0x08)
                || c == 0x0B
                || (c >= 0x0E && c <= 0x1F)
                || c == 0x7F
                || (c >= 0x206A && c <= 0x206F)
                || c == 0xFEFF
                || (c >= 0xFFF9 && c <= 0xFFFC);
    }
}
