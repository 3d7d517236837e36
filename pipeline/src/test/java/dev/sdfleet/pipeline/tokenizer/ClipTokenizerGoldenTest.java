package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.tokenizer.ConformanceClip.GoldenLine;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The public conformance ids ("openai" behaviour), prompt by prompt. Skips without shared/. */
class ClipTokenizerGoldenTest {

    private static final int GOLDEN_PROMPTS = 26;

    @Test
    void goldenFileHasAllPrompts() {
        List<GoldenLine> golden = ConformanceClip.golden();
        assertEquals(GOLDEN_PROMPTS, golden.size());
        golden.forEach(line -> assertEquals(ClipTokenizer.CONTEXT_LENGTH, line.inputIds().length, line.prompt()));
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenPromptGivesTheGoldenIds() {
        ClipTokenizer tokenizer = ConformanceClip.tokenizer();
        return ConformanceClip.golden().stream()
                .map(line -> DynamicTest.dynamicTest(
                        "golden: " + abbreviate(line.prompt()),
                        () -> assertArrayEquals(
                                line.inputIds(),
                                tokenizer.encode(line.prompt()).inputIds(),
                                () -> "prompt " + line.prompt())));
    }

    /**
     * The variants file holds other implementations' ids for the same prompts; ours must be the openai ones and so
     * differ from every variant.
     */
    @Test
    void variantPromptsGiveTheOpenaiIdsNotTheVariants() {
        ClipTokenizer tokenizer = ConformanceClip.tokenizer();
        Map<String, int[]> openai = ConformanceClip.golden().stream()
                .collect(Collectors.toMap(GoldenLine::prompt, GoldenLine::inputIds, (a, b) -> a));
        List<GoldenLine> variants = ConformanceClip.variants();
        assertFalse(variants.isEmpty());
        for (GoldenLine variant : variants) {
            int[] expected = openai.get(variant.prompt());
            assertNotNull(expected, "variant prompt missing from golden-public.jsonl: " + variant.prompt());
            int[] ours = tokenizer.encode(variant.prompt()).inputIds();
            assertArrayEquals(expected, ours, variant.prompt());
            assertFalse(Arrays.equals(variant.inputIds(), ours), variant.variant() + " " + variant.prompt());
        }
    }

    @Test
    void exactly75TokensFitButTheLongPromptIsCut() {
        ClipTokenizer tokenizer = ConformanceClip.tokenizer();
        GoldenLine cats = ConformanceClip.golden().stream()
                .filter(l -> l.prompt().startsWith("cat cat"))
                .findFirst()
                .orElseThrow();
        GoldenLine cyberpunk = ConformanceClip.golden().stream()
                .filter(l -> l.prompt().startsWith("masterpiece, best quality, ultra detailed"))
                .findFirst()
                .orElseThrow();

        TokenizedPrompt fits = tokenizer.encode(cats.prompt()); // 75 times "cat": one token each
        assertFalse(fits.truncated());
        assertEquals("", fits.droppedText());

        TokenizedPrompt cut = tokenizer.encode(cyberpunk.prompt());
        assertTrue(cut.truncated());
        assertEquals(tokenizer.eosId(), cut.inputIds()[76]);
        int[] body = tokenizer.tokenize(cyberpunk.prompt());
        assertTrue(body.length > 75);
        assertEquals(tokenizer.decode(Arrays.copyOfRange(body, 75, body.length)), cut.droppedText());
        assertTrue(cut.droppedText().endsWith("syd mead"), cut.droppedText());
    }

    private static String abbreviate(String prompt) {
        String oneLine = prompt.replace('\n', ' ').replace('\t', ' ');
        return oneLine.length() > 60 ? oneLine.substring(0, 60) + "…" : oneLine;
    }
}
