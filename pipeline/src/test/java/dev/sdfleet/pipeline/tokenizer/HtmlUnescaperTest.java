package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are what Python 3.11's {@code html.unescape} returns for the same input. */
class HtmlUnescaperTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            Tom &amp; Jerry     | Tom & Jerry
            &amp                | &
            &ampx               | &x
            &notit;             | \u00ACit;
            &notin;             | \u2209
            &#39;single&#39;    | 'single'
            &#x263A;            | \u263A
            &#65                | A
            &AMP;               | &
            &eacute;t&eacute    | \u00E9t\u00E9
            &acE;               | \u223E\u0333
            &unknown;           | &unknown;
            & amp;              | & amp;
            &#;                 | &#;
            &#x;                | &#x;
            &lt;&gt             | <>
            &#128;              | \u20AC
            &#x81;              | \u0081
            &#0;                | \uFFFD
            &#x110000;          | \uFFFD
            &#xD800;            | \uFFFD
            &#99999999999999999999; | \uFFFD
            &copy2024           | \u00A92024
            &nbsp;x             | \u00A0x
            &#x1F600;           | \uD83D\uDE00
            &Amp;               | &Amp;
            &amp;amp;           | &amp;
            """)
    void behavesLikePythonHtmlUnescape(String input, String expected) {
        assertEquals(expected, HtmlUnescaper.unescape(input));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            &#1;x    | x
            &#127;x  | x
            &#xFDD0;x| x
            &#x1FFFE;x| x
            """)
    void invalidCodePointsVanish(String input, String expected) {
        assertEquals(expected, HtmlUnescaper.unescape(input));
    }
}
