package dev.sdfleet.pipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.testing.ImageJudge.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Parity with the Python judge: PNGs rendered by {@code shapes.py} (some blurred, speckled or noisy so that the
 * verdicts are not trivial) and hand-made tie cases, with {@code judge.py}'s verdicts in {@code verdicts.json}.
 * Generated once with numpy 1.24 / Pillow 9.4 by a throw-away script; see the README beside them.
 */
class ImageJudgeGoldenTest {

    private static final String FOLDER = "judge-golden/";

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageJudgeGoldenTest.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + FOLDER + name);
            }
            return in.readAllBytes();
        }
    }

    @TestFactory
    List<DynamicTest> javaVerdictsEqualPythonVerdicts() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(resource("verdicts.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode expected : cases) {
            String file = expected.get("file").asText();
            tests.add(DynamicTest.dynamicTest(
                    file + ": " + expected.get("description").asText(), () -> {
                        Verdict actual = ImageJudge.judge(PngDecoder.decode(resource(file)));
                        assertEquals(expected.get("background").asText(), actual.background(), "background");
                        assertEquals(expected.get("colour").asText(), actual.colour(), "colour");
                        assertEquals(expected.get("shape").asText(), actual.shape(), "shape");
                        assertEquals(expected.get("pixels").asInt(), actual.pixels(), "pixels");
                        assertEquals(expected.get("fill").asDouble(), actual.fill(), 1e-9, "fill");
                        assertEquals(expected.get("cx").asDouble(), actual.cx(), 1e-9, "cx");
                        assertEquals(expected.get("cy").asDouble(), actual.cy(), 1e-9, "cy");
                    }));
        }
        assertEquals(33, tests.size(), "golden cases");
        return tests;
    }
}
