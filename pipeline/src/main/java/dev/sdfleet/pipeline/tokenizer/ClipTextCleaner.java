package dev.sdfleet.pipeline.tokenizer;

import java.util.Locale;

/**
 * CLIP's text clean-up before splitting: {@code basic_clean} (ftfy, {@code html.unescape} twice, strip) and
 * {@code whitespace_clean} (every whitespace run to one space, strip), then {@code lower()}.
 */
final class ClipTextCleaner {

    private ClipTextCleaner() {}

    /** The text exactly as the reference tokenizer feeds it to the split regex. */
    static String clean(String text) {
        String fixed = FtfyTextFixer.fixText(text);
        // Twice, as simple_tokenizer.py does: double-escaped entities ("&amp;quot;") are common in scraped captions.
        String unescaped = HtmlUnescaper.unescape(HtmlUnescaper.unescape(fixed));
        return collapseWhitespace(unescaped).toLowerCase(Locale.ROOT);
    }

    /** {@code re.sub(r'\s+', ' ', text).strip()} with Python's notion of whitespace. */
    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isPythonWhitespace(cp)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && !out.isEmpty()) {
                    out.append(' ');
                }
                pendingSpace = false;
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /**
     * Python's {@code str.isspace()}, which its {@code \s} follows. Unlike {@link Character#isWhitespace} it includes
     * the no-break spaces U+00A0, U+2007 and U+202F, which do occur in pasted prompts.
     */
    static boolean isPythonWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D)
                || (cp >= 0x1C && cp <= 0x20)
                || cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }
}
