package dev.sdfleet.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The model card's quality table states the figures of {@code evaluation/reference-results.json}: docs quote a
 * measured figure from one place, and this keeps the one copy that a person reads equal to it.
 */
class ModelCardTest {
    /** A table row: {@code | **7.5** (default) | **91.7 %** | **93.1 %** | **86.1 %** |}. */
    private static final Pattern ROW = Pattern.compile(
            "^\\| \\**(\\d+\\.\\d)\\**[^|]*\\| \\**([\\d.]+) %\\** \\| \\**([\\d.]+) %\\** \\| \\**([\\d.]+) %\\** \\|$",
            Pattern.MULTILINE);

    @Test
    void qualityTableMatchesTheEvaluationResults() throws IOException {
        JsonNode results = new ObjectMapper()
                .readTree(TinyModels.sd()
                        .resolve("evaluation/reference-results.json")
                        .toFile());
        String card = Files.readString(TinyModels.repoRoot().resolve("models/README.md"));

        Map<String, List<String>> stated = new LinkedHashMap<>();
        Matcher row = ROW.matcher(card);
        while (row.find()) {
            stated.put(row.group(1), List.of(row.group(2), row.group(3), row.group(4)));
        }

        for (String guidance : List.of("7.5", "3.0", "1.0")) {
            JsonNode measured = results.get(guidance);
            List<String> expected = List.of(
                    percent(measured.get("shape_colour")),
                    percent(measured.get("background")),
                    percent(measured.get("shape_kind")));
            assertEquals(expected, stated.get(guidance), "models/README.md quality row for guidance " + guidance);
        }
    }

    private static String percent(JsonNode share) {
        return String.format(java.util.Locale.ROOT, "%.1f", share.asDouble() * 100);
    }
}
