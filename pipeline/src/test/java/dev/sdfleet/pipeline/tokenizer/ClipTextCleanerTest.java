package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The ftfy / basic_clean / whitespace_clean emulation, one rule per test. */
class ClipTextCleanerTest {

    @Test
    void whitespaceRunsBecomeOneSpaceAndEndsAreStripped() {
        assertEquals("a b c", ClipTextCleaner.clean("  a\t\tb\r\n\u00A0c\u2003 "));
        assertEquals("", ClipTextCleaner.clean(" \n\t "));
    }

    @Test
    void lowerCaseLikePython() {
        assertEquals("shouting àé", ClipTextCleaner.clean("SHOUTING ÀÉ"));
        assertEquals("i\u0307", ClipTextCleaner.clean("\u0130")); // Python: 'İ'.lower() == 'i̇'
    }

    @Test
    void entitiesAreUnescapedThreeTimesWithoutAngleBracket() {
        // ftfy once, then simple_tokenizer.py twice.
        assertEquals("fish & chips", ClipTextCleaner.clean("fish &amp;amp;amp; chips"));
        assertEquals("é 'a'", ClipTextCleaner.clean("&eacute; &#39;a&#39;"));
    }

    @Test
    void entitiesAreUnescapedTwiceWithAngleBracket() {
        assertEquals("<b> &amp; x", ClipTextCleaner.clean("<b> &amp;amp;amp; x"));
    }

    @Test
    void ligaturesAreSplit() {
        assertEquals("fine ffl ij", ClipTextCleaner.clean("\uFB01ne \uFB04 \u0133"));
    }

    @Test
    void fullWidthFormsAreNarrowed() {
        assertEquals("abc 123!", ClipTextCleaner.clean("\uFF21\uFF42\uFF43\u3000\uFF11\uFF12\uFF13\uFF01"));
    }

    @Test
    void curlyQuotesAreStraightened() {
        assertEquals("\"smart\" it's 'x'", ClipTextCleaner.clean("\u201CSmart\u201D it\u2019s \u2018x\u2019"));
    }

    @Test
    void c1ControlsAreReadAsWindows1252() {
        // 0x93/0x94 are curly double quotes in windows-1252, and then get straightened.
        assertEquals("\"hi\" \u2026", ClipTextCleaner.clean("\u0093hi\u0094 \u0085"));
    }

    @Test
    void controlCharactersAndTerminalEscapesAreRemoved() {
        assertEquals("red ab", ClipTextCleaner.clean("\u001B[31mred\u001B[0m a\u0000\u0007\uFEFFb"));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertEquals("a\uFFFDb", ClipTextCleaner.clean("a\uD800b"));
    }

    @Test
    void textIsComposedToNfc() {
        assertEquals("caf\u00E9", ClipTextCleaner.clean("cafe\u0301"));
    }
}
