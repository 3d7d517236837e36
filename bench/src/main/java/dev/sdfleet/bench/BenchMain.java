package dev.sdfleet.bench;

import dev.sdfleet.bench.dispatcher.DispatcherBench;
import dev.sdfleet.bench.fleet.FaultCampaign;
import dev.sdfleet.bench.fleet.FleetBench;
import dev.sdfleet.bench.kafka.ShareGroupTrial;
import dev.sdfleet.bench.pipeline.PipelineBench;
import dev.sdfleet.bench.pipeline.RuntimeComparison;
import dev.sdfleet.bench.pipeline.SoakBench;
import dev.sdfleet.bench.pipeline.StagesBench;
import dev.sdfleet.cli.Args;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./sdfleet bench NAME [options]}: every benchmark of the project behind one entry point (the launcher runs this
 * class when its first argument is {@code bench}). A benchmark logs its progress on stderr and prints its report on
 * stdout: a Markdown table, then one JSON line ({@link BenchReport}). Exit codes: 0 done, 1 failed (a check of the
 * benchmark, or an error), 2 bad usage.
 */
public final class BenchMain {
    private static final Map<String, Benchmark> BENCHMARKS = new LinkedHashMap<>();

    static {
        for (Benchmark b : List.of(
                PipelineBench.benchmark(),
                SoakBench.benchmark(),
                StagesBench.benchmark(),
                RuntimeComparison.benchmark(),
                FleetBench.latency(),
                FleetBench.throughput(),
                FleetBench.batching(),
                FleetBench.killTrials(),
                FleetBench.soak(),
                FleetBench.priority(),
                FleetBench.starvation(),
                DispatcherBench.benchmark(),
                FaultCampaign.benchmark(),
                ShareGroupTrial.benchmark())) {
            BENCHMARKS.put(b.name(), b);
        }
    }

    private BenchMain() {}

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    /** The benchmarks, by name, in the order {@code --help} lists them. */
    public static Map<String, Benchmark> benchmarks() {
        return Map.copyOf(BENCHMARKS);
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty()
                || argv.getFirst().equals("--help")
                || argv.getFirst().equals("help")) {
            usage(argv.isEmpty() ? err : out);
            return argv.isEmpty() ? 2 : 0;
        }
        Benchmark benchmark = BENCHMARKS.get(argv.getFirst());
        if (benchmark == null) {
            err.println("sdfleet bench: unknown benchmark '" + argv.getFirst() + "'");
            usage(err);
            return 2;
        }
        List<String> rest = argv.subList(1, argv.size());
        if (rest.contains("--help")) {
            out.println("usage: sdfleet bench " + benchmark.name() + " [options]\n  " + benchmark.summary() + "\n"
                    + benchmark.options().stripTrailing());
            return 0;
        }
        BenchReport report = BenchReport.start(benchmark.name(), rest);
        try {
            Args args = Args.parse(rest, benchmark.valued(), benchmark.flags());
            if (!args.positional().isEmpty()) {
                throw new Args.UsageException(
                        "unexpected argument '" + args.positional().get(0) + "'");
            }
            benchmark.runner().run(args, report, err);
        } catch (Args.UsageException | IllegalArgumentException e) {
            err.println("sdfleet bench " + benchmark.name() + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("sdfleet bench " + benchmark.name() + ": interrupted");
            return 1;
        } catch (Exception e) {
            err.println("sdfleet bench " + benchmark.name() + ": failed: " + e);
            return 1;
        }
        report.print(out);
        return report.ok() ? 0 : 1;
    }

    private static void usage(PrintStream out) {
        StringBuilder text = new StringBuilder("""
                usage: sdfleet bench NAME [options]   (sdfleet bench NAME --help for its options)
                A benchmark, not a test: it prints a Markdown table and one JSON line (BENCHMARKS.md has the figures).

                """);
        BENCHMARKS.values().forEach(b -> text.append(String.format("  %-18s %s%n", b.name(), b.summary())));
        out.print(text);
    }
}
