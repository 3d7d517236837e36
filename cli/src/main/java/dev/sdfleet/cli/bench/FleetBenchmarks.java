package dev.sdfleet.cli.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The fleet benchmarks behind {@code sdfleet bench-fleet}, each on one throw-away local stack. */
public final class FleetBenchmarks {
    /** What to measure with. */
    public record Options(
            Path model, int jobs, int trials, List<Integer> workerCounts, int threads, int side, int steps) {}

    private FleetBenchmarks() {}

    /**
     * Runs {@code what} (latency, throughput, batching, killtrials, all); returns false when a check failed (a kill
     * trial lost a job or stored one twice).
     */
    public static boolean run(String what, Options o, PrintStream out) throws InterruptedException {
        out.printf(
                Locale.ROOT,
                "bench-fleet %s on %d CPU cores, model %s%n",
                what,
                Runtime.getRuntime().availableProcessors(),
                o.model());
        try (BenchStack bench = BenchStack.start(o.model())) {
            out.println("local stack: Kafka " + bench.stack().bootstrapServers() + ", S3 "
                    + bench.stack().s3Endpoint() + ", worker logs under "
                    + bench.dir().resolve("logs"));
            switch (what) {
                case "latency" -> new Latency(bench, out).run(o.model(), o.jobs(), o.threads(), o.side(), o.steps());
                case "throughput" -> throughput(bench, o, out);
                case "batching" -> batching(bench, o, out);
                case "killtrials" -> {
                    return new KillTrials(bench, out).run(o.trials(), o.jobs(), o.side(), o.steps());
                }
                case "all" -> {
                    new Latency(bench, out).run(o.model(), 200, o.threads(), o.side(), o.steps());
                    throughput(bench, o, out);
                    batching(bench, o, out);
                }
                default ->
                    throw new IllegalArgumentException(
                            "unknown benchmark " + what + " (latency, throughput, batching, killtrials, all)");
            }
        }
        return true;
    }

    private static void throughput(BenchStack bench, Options o, PrintStream out) throws InterruptedException {
        Throughput throughput = new Throughput(bench, out);
        for (int workers : o.workerCounts()) {
            throughput.measure(workers, 1, o.threads(), o.jobs(), o.side(), o.steps());
        }
    }

    private static void batching(BenchStack bench, Options o, PrintStream out) throws InterruptedException {
        Throughput throughput = new Throughput(bench, out);
        Throughput.Run one = throughput.measure(1, 1, o.threads(), o.jobs(), o.side(), o.steps());
        Throughput.Run four = throughput.measure(1, 4, o.threads(), o.jobs(), o.side(), o.steps());
        out.printf(
                Locale.ROOT,
                "micro-batching ratio (images/s at batch 4 over batch 1): %.2f%n",
                four.imagesPerSecond() / one.imagesPerSecond());
    }
}
