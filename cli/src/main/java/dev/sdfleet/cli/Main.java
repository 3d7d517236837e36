package dev.sdfleet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sdfleet COMMAND [options]}. Exit codes: 0 done, 1 failed, 2 bad usage or bad input.
 *
 * <p>Parsed by picocli: every command has {@code -h/--help}, the root has {@code --version}, and
 * {@code sdfleet completion} prints a bash completion script built from the same declarations.
 */
@Command(
        name = "sdfleet",
        // Inherited: every subcommand gets -h/--help and -V/--version without declaring them.
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        synopsisSubcommandLabel = "COMMAND",
        description = "A Stable Diffusion fleet on Kafka, S3 and ONNX Runtime: the local pipeline, the local fleet, "
                + "and a client of any dispatcher's HTTP API.",
        subcommands = {
            GenerateCommand.class,
            TokenizeCommand.class,
            InfoCommand.class,
            UpCommand.class,
            SubmitCommand.class,
            DemoCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "`sdfleet COMMAND --help` shows a command's options. Benchmarks are not in this command line: the"
                    + " launcher runs them from the bench module (./sdfleet bench --help)."
        })
public final class Main implements Callable<Integer> {
    /** Where commands print: the streams {@link #run} was given (the tests' buffers, or the terminal). */
    final PrintStream out;

    final PrintStream err;

    @Spec
    CommandSpec spec;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(argv.toArray(String[]::new));
    }

    /** The whole command tree, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(new Main(out, err));
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setUsageHelpWidth(110);
        line.setUsageHelpLongOptionsMaxWidth(32);
        line.setParameterExceptionHandler(Main::badUsage);
        line.setExecutionExceptionHandler(Main::failed);
        return line;
    }

    /** No command given: the overview, and exit code 2 as for any other usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return 2;
    }

    /** A parse error: an unknown command, option or a value of the wrong type. Exit code 2. */
    private static int badUsage(CommandLine.ParameterException e, String[] argv) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        if (line.getCommandSpec().parent() == null
                && e instanceof CommandLine.UnmatchedArgumentException
                && argv.length > 0
                && !argv[0].startsWith("-")) {
            err.println("sdfleet: unknown command '" + argv[0] + "'");
        } else {
            err.println(line.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        }
        line.usage(err);
        return 2;
    }

    /**
     * A command that threw: bad input the parser could not see (a missing model folder, a width the pipeline refuses)
     * is a usage error, 2; anything else a failure, 1.
     */
    private static int failed(Exception e, CommandLine line, CommandLine.ParseResult parsed) {
        PrintWriter err = line.getErr();
        String name = line.getCommandSpec().qualifiedName();
        if (e instanceof Args.UsageException || e instanceof IllegalArgumentException) {
            err.println(name + ": " + e.getMessage());
            return 2;
        }
        err.println(name + ": failed: " + e.getMessage());
        return 1;
    }

    /** The project version, filtered into {@code version.properties} by the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                Properties properties = new Properties();
                properties.load(in);
                return new String[] {"sdfleet " + properties.getProperty("version")};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
