package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line's own commands, as its help lists them, and the parser's standard parts: {@code -h/--help} on every
 * command, {@code --version}, aligned option columns, the bash completion script. The benchmarks are not among the
 * commands: the launcher runs them from the bench module ({@code ./sdfleet bench}), so this command line knows no
 * {@code bench}.
 */
class HelpTest {
    private static final List<String> COMMANDS =
            List.of("generate", "tokenize", "info", "up", "submit", "demo", "completion");

    @Test
    void helpListsEveryCommandAndNoBenchmark() {
        CliTest.Run r = CliTest.run("--help");
        assertEquals(0, r.exit(), r.err());
        for (String command : COMMANDS) {
            assertTrue(r.out().lines().anyMatch(line -> line.startsWith("  " + command + " ")), r.out());
        }
        assertFalse(r.out().lines().anyMatch(line -> line.startsWith("  bench")), r.out());
        assertEquals(r.out(), CliTest.run("-h").out());
        assertEquals(r.out(), CliTest.run("help").out());
    }

    @Test
    void noCommandIsAUsageErrorWithTheOverview() {
        CliTest.Run r = CliTest.run();
        assertEquals(2, r.exit());
        assertTrue(r.out().contains("  submit "), r.out());
    }

    @Test
    void benchIsNotACommandHere() {
        for (String command : List.of("bench", "bench-fleet")) {
            CliTest.Run r = CliTest.run(command);
            assertEquals(2, r.exit());
            assertTrue(r.err().contains("unknown command '" + command + "'"), r.err());
        }
    }

    @Test
    void everyCommandHasShortAndLongHelp() {
        for (String command : COMMANDS) {
            CliTest.Run longHelp = CliTest.run(command, "--help");
            assertEquals(0, longHelp.exit(), longHelp.err());
            assertTrue(longHelp.out().startsWith("Usage: sdfleet " + command + " "), longHelp.out());
            assertTrue(longHelp.out().contains("-h, --help"), longHelp.out());
            assertEquals(longHelp.out(), CliTest.run(command, "-h").out(), command);
            assertEquals(longHelp.out(), CliTest.run("help", command).out(), command);
        }
    }

    /**
     * Picocli formats every description with {@code String.format}; one that does not format (a bare {@code %}) is
     * printed raw, with a warning on stderr at every help call.
     */
    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        CommandLine root = Main.commandLine(System.out, System.err);
        List<CommandLine> commands = new ArrayList<>(List.of(root));
        commands.addAll(root.getSubcommands().values());
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            commands.forEach(command -> command.usage(new PrintStream(OutputStream.nullOutputStream())));
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void optionDescriptionsStartInOneColumn() {
        String help = CliTest.run("submit", "--help").out();
        // "      --url=URL        the dispatcher ...": the description column of each option line.
        Pattern option = Pattern.compile("^ {2}(?:-\\w, |    )--[\\w-]+(?:=\\S+)?( +)\\S");
        List<Integer> columns = help.lines()
                .map(option::matcher)
                .filter(Matcher::find)
                .map(m -> m.end(1))
                .distinct()
                .toList();
        assertEquals(1, columns.size(), help);
    }

    @Test
    void versionIsTheProjectVersion() {
        CliTest.Run r = CliTest.run("--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().strip().matches("sdfleet \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
    }

    @Test
    void completionCompletesCommandsAndTheirOptions() {
        CliTest.Run r = CliTest.run("completion");
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                r.out().startsWith("#!/usr/bin/env bash"),
                r.out().lines().findFirst().orElse(""));
        assertTrue(r.out().contains("complete -F _complete_sdfleet"), "registers the function");
        for (String command : COMMANDS) {
            assertTrue(r.out().contains("_picocli_sdfleet_" + command + "()"), command);
        }
        for (String option : List.of("--negative", "--webhook", "--no-wait", "--json", "--init-image", "--workers")) {
            assertTrue(r.out().contains(option), option);
        }
    }
}
