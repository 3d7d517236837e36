package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Behaviour on the real CLIP vocabulary from shared/conformance/clip (skips without it). */
class ClipTokenizerBehaviourTest {

    private final ClipTokenizer tokenizer = ConformanceClip.tokenizer();

    @Test
    void specialIdsComeFromTheVocabulary() {
        assertEquals(49408, tokenizer.vocabSize());
        assertEquals(49406, tokenizer.bosId());
        assertEquals(49407, tokenizer.eosId());
        assertEquals(49407, tokenizer.padId()); // no special_tokens_map.json there: the CLIPTokenizer default
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, tokenizer.maxLength());
    }

    @Test
    void aPhotoOfACat() {
        int[] ids = tokenizer.encode("a photo of a cat").inputIds();
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, Arrays.copyOf(ids, 7));
        assertEquals(77, ids.length);
        for (int i = 7; i < 77; i++) {
            assertEquals(tokenizer.padId(), ids[i], "pad at " + i);
        }
    }

    @Test
    void quickBrownFoxBody() {
        assertArrayEquals(
                new int[] {518, 3712, 2866, 3240, 18911, 962, 518, 10753, 1929, 269},
                tokenizer.tokenize("The quick brown fox jumps over the lazy dog."));
    }

    @Test
    void tenThousandCharactersAreCutTo77WithEosLast() {
        String prompt = "a photo of a cat, ".repeat(600).substring(0, 10_000);
        TokenizedPrompt encoded = tokenizer.encode(prompt);

        assertEquals(77, encoded.inputIds().length);
        assertEquals(tokenizer.bosId(), encoded.inputIds()[0]);
        assertEquals(tokenizer.eosId(), encoded.inputIds()[76]);
        assertTrue(encoded.truncated());
        assertFalse(encoded.droppedText().isEmpty());
        int[] body = tokenizer.tokenize(prompt);
        assertArrayEquals(Arrays.copyOf(body, 75), Arrays.copyOfRange(encoded.inputIds(), 1, 76));
        assertEquals(tokenizer.decode(Arrays.copyOfRange(body, 75, body.length)), encoded.droppedText());
        assertTrue(encoded.droppedText().startsWith("a cat , a photo of a cat"), encoded.droppedText());
    }

    @Test
    void seventyFiveBodyTokensFitAndSeventySixDoNot() {
        TokenizedPrompt fits = tokenizer.encode("cat ".repeat(75));
        assertFalse(fits.truncated());
        assertEquals("", fits.droppedText());
        assertEquals(2368, fits.inputIds()[75]);
        assertEquals(tokenizer.eosId(), fits.inputIds()[76]);

        TokenizedPrompt cut = tokenizer.encode("cat ".repeat(75) + "dog");
        assertTrue(cut.truncated());
        assertEquals("dog", cut.droppedText());
        assertEquals(2368, cut.inputIds()[75]);
        assertEquals(tokenizer.eosId(), cut.inputIds()[76]);
    }

    @Test
    void emptyPromptIsBosEosAndPadding() {
        TokenizedPrompt empty = tokenizer.encode("");
        assertEquals(tokenizer.bosId(), empty.inputIds()[0]);
        assertEquals(tokenizer.eosId(), empty.inputIds()[1]);
        assertFalse(empty.truncated());
        assertEquals(0, tokenizer.tokenize("  \t\n ").length);
    }

    @Test
    void tokenizeIsNotTruncated() {
        assertEquals(300, tokenizer.tokenize("cat ".repeat(300)).length);
    }

    @Test
    void literalSpecialTokensKeepTheirIds() {
        assertArrayEquals(new int[] {49406, 2368, 49407}, tokenizer.tokenize("<|startoftext|>cat<|ENDOFTEXT|>"));
    }

    @Test
    void digitsAreSingleTokensAndContractionsSplit() {
        int[] digits = tokenizer.tokenize("1024");
        assertEquals(4, digits.length);
        assertEquals("1 0 2 4", tokenizer.decode(digits));
        assertEquals("'s ingle '", tokenizer.decode(tokenizer.tokenize("'single'")));
    }

    @Test
    void decodeUndoesBpe() {
        assertEquals("a photo of a cat", tokenizer.decode(tokenizer.tokenize("A photo of a cat")));
        assertEquals("café 東京 🐶", tokenizer.decode(tokenizer.tokenize("Café  東京 🐶")));
        assertEquals("<|startoftext|>", tokenizer.decode(new int[] {tokenizer.bosId()}));
    }

    @Test
    void decodeRejectsUnknownIds() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {49408}));
        assertTrue(e.getMessage().contains("49408"), e.getMessage());
    }

    @Test
    void returnedIdsAreCopiesOfTheCache() {
        int[] first = tokenizer.tokenize("astronaut");
        Arrays.fill(first, -1);
        assertTrue(tokenizer.tokenize("astronaut")[0] >= 0);
    }
}
