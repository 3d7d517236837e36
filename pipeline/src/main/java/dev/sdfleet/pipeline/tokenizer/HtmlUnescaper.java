package dev.sdfleet.pipeline.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, character for character: named references from the full HTML5 list (including the
 * legacy names that need no ';' and the longest-prefix rule, so {@code &notit;} becomes {@code ¬it;}), decimal and hex
 * references with the standard's replacements for invalid code points. The golden ids depend on it, because CLIP's
 * clean-up unescapes twice.
 */
final class HtmlUnescaper {

    /** Same pattern as Python's {@code html._charref}; ASCII digits only, as there. */
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    private static final String ENTITIES_RESOURCE = "html5-entities.tsv";

    private HtmlUnescaper() {}

    /** Returns {@code text} with every character reference replaced, as {@code html.unescape} does. */
    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = CHARREF.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            return numericReference(ref);
        }
        Map<String, String> entities = Entities.BY_NAME;
        String whole = entities.get(ref);
        if (whole != null) {
            return whole;
        }
        // The standard's rule: the longest known name that prefixes the text wins, the rest stays literal.
        for (int len = ref.length() - 1; len > 1; len--) {
            String value = entities.get(ref.substring(0, len));
            if (value != null) {
                return value + ref.substring(len);
            }
        }
        return "&" + ref;
    }

    private static String numericReference(String ref) {
        boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
        String digits = ref.substring(hex ? 2 : 1);
        if (digits.endsWith(";")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        // BigInteger because the pattern allows any number of digits and Python's int never overflows.
        BigInteger value = new BigInteger(digits, hex ? 16 : 10);
        if (value.compareTo(BigInteger.valueOf(0x10FFFF)) > 0) {
            return "\uFFFD";
        }
        int cp = value.intValue();
        String windows1252 = invalidCharref(cp);
        if (windows1252 != null) {
            return windows1252;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint(cp)) {
            return "";
        }
        return Character.toString(cp);
    }

    /** Python's {@code _invalid_charrefs}: NUL, CR and the C1 range read as windows-1252. */
    private static String invalidCharref(int cp) {
        if (cp == 0) {
            return "\uFFFD";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return String.valueOf(Windows1252.c1(cp));
        }
        return null;
    }

    /** Python's {@code _invalid_codepoints}: controls, noncharacters; such references vanish. */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8)
                || cp == 0xB
                || (cp >= 0xE && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }

    /** Loaded on first use: most prompts contain no '&' and never need the 2231 names. */
    private static final class Entities {
        static final Map<String, String> BY_NAME = load();

        private static Map<String, String> load() {
            Map<String, String> byName = new HashMap<>(4096);
            try (InputStream in = HtmlUnescaper.class.getResourceAsStream(ENTITIES_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("Missing class-path resource " + ENTITIES_RESOURCE);
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    StringBuilder value = new StringBuilder(2);
                    for (String hex : line.substring(tab + 1).split(" ")) {
                        value.appendCodePoint(Integer.parseInt(hex, 16));
                    }
                    byName.put(line.substring(0, tab), value.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read class-path resource " + ENTITIES_RESOURCE, e);
            }
            return Map.copyOf(byName);
        }
    }
}
