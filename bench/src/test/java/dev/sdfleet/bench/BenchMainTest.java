package dev.sdfleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./sdfleet bench} as a user runs it: the list of benchmarks, and one real benchmark in its smallest form. */
class BenchMainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchMain.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryBenchmarkWithALineEach() {
        Run r = run("--help");
        assertEquals(0, r.exit(), r.err());
        for (String name : List.of(
                "pipeline",
                "fleet-latency",
                "fleet-throughput",
                "fleet-batching",
                "fleet-killtrials",
                "tenant-starvation",
                "dispatcher",
                "faults",
                "share-groups")) {
            assertTrue(r.out().lines().anyMatch(line -> line.startsWith("  " + name + " ")), r.out());
        }
        assertEquals(
                BenchMain.benchmarks().size(),
                r.out().lines().filter(l -> l.startsWith("  ")).count());
    }

    @Test
    void badUsageIsExitCode2() {
        assertEquals(2, run().exit());
        assertEquals(2, run("frobnicate").exit());
        assertEquals(2, run("pipeline", "--bogus", "1").exit());
        assertEquals(2, run("pipeline", "--runs", "many").exit());
    }

    @Test
    void pipelineBenchPrintsATableAndOneJsonLine() throws Exception {
        Run r = run(
                "pipeline",
                "--model",
                TinyModels.sd().toString(),
                "--runs",
                "1",
                "--warmup",
                "0",
                "--steps",
                "2",
                "--threads",
                "1");
        assertEquals(0, r.exit(), r.err());

        List<String> lines = r.out().lines().toList();
        assertEquals("| bench pipeline | value |", lines.get(0));
        assertEquals("|---|---|", lines.get(1));
        assertTrue(lines.get(2).startsWith("| date | "), r.out());
        assertTrue(lines.get(3).matches("\\| machine \\| \\d+ cores.*JDK .*\\|"), r.out());
        assertTrue(lines.get(4).startsWith("| command | ./sdfleet bench pipeline --model "), r.out());
        assertTrue(r.out().contains("| outside ONNX Runtime | "), r.out());

        List<String> json = lines.stream().filter(l -> l.startsWith("{")).toList();
        assertEquals(1, json.size(), r.out());
        assertEquals(json.getFirst(), lines.getLast());
        JsonNode report = JSON.readTree(json.getFirst());
        assertEquals("pipeline", report.get("bench").asText());
        assertTrue(report.get("ok").asBoolean());
        assertTrue(report.get("machine").get("cores").asInt() > 0);
        assertTrue(report.get("machine").get("memory_mib").asLong() > 0);
        assertTrue(report.get("machine").get("jdk").asText().startsWith(System.getProperty("java.runtime.version")));
        assertTrue(report.get("command").asText().endsWith("--steps 2 --threads 1"), report.toString());
        assertEquals(lines.get(2), "| date | " + report.get("date").asText() + " |");
        assertEquals(2, report.get("figures").get("steps").asInt());
        assertEquals(3, report.get("figures").get("unet_calls").asInt());
        assertTrue(report.get("figures").get("total_ms").asDouble() > 0);
        // Every row of the table is in the JSON line too.
        assertEquals(
                lines.stream()
                        .filter(l -> l.startsWith("| ") && !l.startsWith("| bench "))
                        .count(),
                report.get("rows").size() + 3);
    }
}
