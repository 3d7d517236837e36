package dev.sdfleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final BenchReport.Machine MACHINE =
            new BenchReport.Machine(2, 8192, "Some CPU", "Linux amd64", "25.0.3 (Vendor)");

    @Test
    void tableAndJsonCarryTheSameRowsAndAFailure() throws Exception {
        BenchReport report = new BenchReport(
                        "x", Instant.parse("2026-12-04T10:00:00.123Z"), MACHINE, "./sdfleet bench x --a 'b|c'")
                .row("a | b", "%.1f ms", 1.25)
                .percentiles("lat", "latency", Percentiles.of(List.of(3.0, 1.0, 2.0)))
                .fail("a check");

        assertFalse(report.ok());
        assertEquals("""
                | bench x | value |
                |---|---|
                | date | 2026-12-04T10:00:00Z |
                | machine | 2 cores (Some CPU), 8.0 GiB memory, Linux amd64, JDK 25.0.3 (Vendor) |
                | command | ./sdfleet bench x --a 'b\\|c' |
                | a \\| b | 1.3 ms |
                | latency | p50 2.0 ms, p99 3.0 ms, max 3.0 ms (n=3) |
                | FAILED | a check |
                """, report.markdown());

        JsonNode json = new ObjectMapper().readTree(report.json());
        assertFalse(report.json().contains("\n"));
        assertEquals("2026-12-04T10:00:00Z", json.get("date").asText());
        assertEquals(8192, json.get("machine").get("memory_mib").asLong());
        assertEquals("./sdfleet bench x --a 'b|c'", json.get("command").asText());
        assertFalse(json.get("ok").asBoolean());
        assertEquals("a check", json.get("failures").get(0).asText());
        assertEquals("a | b", json.get("rows").get(0).get("measure").asText());
        assertEquals(2.0, json.get("figures").get("lat.p50_ms").asDouble());
        assertEquals(3, json.get("figures").get("lat.n").asInt());
    }

    @Test
    void theCommandLineIsQuotedWhereAShellWouldNeedIt() {
        BenchReport report = BenchReport.start("pipeline", List.of("--prompt", "a red circle", "--runs", "2"));
        assertTrue(report.json().contains("\"command\":\"./sdfleet bench pipeline --prompt 'a red circle' --runs 2\""));
    }
}
