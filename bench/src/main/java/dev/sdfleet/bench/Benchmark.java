package dev.sdfleet.bench;

import dev.sdfleet.cli.Args;
import java.io.PrintStream;
import java.util.Set;

/**
 * One benchmark behind {@code ./sdfleet bench NAME}.
 *
 * @param name what to type after {@code bench}
 * @param summary one line for {@code ./sdfleet bench --help}
 * @param options the lines of {@code ./sdfleet bench NAME --help}
 * @param valued options that take a value
 * @param flags options that take none
 * @param runner the measurement
 */
public record Benchmark(
        String name, String summary, String options, Set<String> valued, Set<String> flags, Runner runner) {

    /** Measures, writing figures into the report and progress (for people watching) into the log. */
    @FunctionalInterface
    public interface Runner {
        void run(Args args, BenchReport report, PrintStream log) throws Exception;
    }
}
