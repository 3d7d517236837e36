package dev.sdfleet.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code sdfleet COMMAND [options]}. Exit codes: 0 done, 1 failed, 2 bad usage or bad input.
 */
public final class Main {
    private static final Map<String, Command> COMMANDS = Map.of(
            "generate", new GenerateCommand(),
            "tokenize", new TokenizeCommand(),
            "info", new InfoCommand(),
            "up", new UpCommand(),
            "submit", new SubmitCommand(),
            "demo", new DemoCommand());

    private Main() {}

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty()
                || argv.getFirst().equals("--help")
                || argv.getFirst().equals("help")) {
            usage(out);
            return argv.isEmpty() ? 2 : 0;
        }
        Command command = COMMANDS.get(argv.getFirst());
        if (command == null) {
            err.println("sdfleet: unknown command '" + argv.getFirst() + "'");
            usage(err);
            return 2;
        }
        List<String> rest = argv.subList(1, argv.size());
        if (rest.contains("--help")) {
            out.println(command.help());
            return 0;
        }
        try {
            return command.run(rest, out, err);
        } catch (Args.UsageException | IllegalArgumentException e) {
            err.println("sdfleet " + argv.getFirst() + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("sdfleet " + argv.getFirst() + ": failed: " + e.getMessage());
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("""
                usage: sdfleet COMMAND [options]   (sdfleet COMMAND --help for its options)

                  generate PROMPT...   text to PNG on the local pipeline
                  tokenize [PROMPT...] CLIP token ids as JSON lines (prompts from stdin when none given)
                  info                 what a model folder holds: family, components, signatures, providers
                  up                   the local fleet (Kafka, S3, dispatcher, workers) until Ctrl-C
                  submit PROMPT...     one prompt through a dispatcher's HTTP API (the local fleet's by default),
                                       its images downloaded into ./out
                  demo PROMPT...       the local fleet started, one prompt through its HTTP API, a PNG in ./out

                Benchmarks are not in this command line: the launcher runs them from the bench module
                (./sdfleet bench --help).""");
    }

    /** One subcommand. */
    interface Command {
        int run(List<String> args, PrintStream out, PrintStream err);

        String help();
    }
}
