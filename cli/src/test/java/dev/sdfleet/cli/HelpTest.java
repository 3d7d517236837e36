package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line's own commands, as its help lists them. The benchmarks are not among them: the launcher runs them
 * from the bench module ({@code ./sdfleet bench}), so this command line knows no {@code bench}.
 */
class HelpTest {
    @Test
    void helpListsEveryCommandAndNoBenchmark() {
        CliTest.Run r = CliTest.run("--help");
        assertEquals(0, r.exit(), r.err());
        for (String command : List.of("generate", "tokenize", "info", "up", "submit", "demo")) {
            assertTrue(r.out().lines().anyMatch(line -> line.startsWith("  " + command + " ")), r.out());
        }
        assertFalse(r.out().lines().anyMatch(line -> line.startsWith("  bench")), r.out());
    }

    @Test
    void benchIsNotACommandHere() {
        for (String command : List.of("bench", "bench-fleet")) {
            CliTest.Run r = CliTest.run(command);
            assertEquals(2, r.exit());
            assertTrue(r.err().contains("unknown command '" + command + "'"), r.err());
        }
    }
}
