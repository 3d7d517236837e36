package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.KafkaOptions;
import dev.sdfleet.cli.PipelineOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fleet benchmarks ({@code fleet-latency}, {@code fleet-throughput}, {@code fleet-batching},
 * {@code fleet-killtrials}, {@code fleet-priority}, {@code tenant-starvation}), each on its own throw-away local stack: embedded Kafka and S3Proxy in this JVM, workers
 * in child JVMs ({@code -Xmx512m}) except for the latency run (in process).
 */
public final class FleetBench {
    private static final Set<String> VALUED = Stream.concat(
                    Stream.of("jobs", "trials", "workers", "threads", "size", "steps", "model"),
                    KafkaOptions.VALUED.stream())
            .collect(Collectors.toUnmodifiableSet());
    private static final String COMMON = """
              --threads N      ONNX Runtime intra-op threads per worker (default 1)
              --size N         image side (default %d)
              --steps N        denoising steps (default %d)
              --model DIR      (default: the bundled tiny model)
            """ + KafkaOptions.HELP;

    private FleetBench() {}

    /** The settings one run measures with. */
    private record Settings(int jobs, int threads, int side, int steps) {
        static Settings of(Args args, int jobs, int side, int steps) {
            int n = args.getInt("jobs", jobs);
            if (n < 1) {
                throw new Args.UsageException("--jobs must be at least 1");
            }
            return new Settings(n, args.getInt("threads", 1), args.getInt("size", side), args.getInt("steps", steps));
        }
    }

    public static Benchmark latency() {
        return new Benchmark(
                "fleet-latency",
                "what Kafka + S3 add to one image over the bare pipeline, one job at a time: p50, p99",
                "  --jobs N         measured jobs (default 200), after 5 unmeasured ones\n" + COMMON.formatted(64, 20),
                VALUED,
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 200, 64, 20);
                    try (BenchStack bench = start(args, log)) {
                        new Latency(bench)
                                .run(PipelineOptions.model(args), s.jobs(), s.threads(), s.side(), s.steps(), report);
                    }
                });
    }

    public static Benchmark throughput() {
        return new Benchmark(
                "fleet-throughput",
                "images/s of 1 and of 2 worker processes on one jobs topic, worker RSS",
                "  --jobs N         jobs per run (default 40)\n"
                        + "  --workers LIST   worker counts, one run each (default 1,2)\n"
                        + COMMON.formatted(64, 20),
                VALUED,
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 40, 64, 20);
                    List<Integer> counts = List.of(args.get("workers", "1,2").split(",")).stream()
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList();
                    try (BenchStack bench = start(args, log)) {
                        Throughput throughput = new Throughput(bench, log);
                        report.row(
                                "setting",
                                "%d jobs per run (%dx%d, %d steps), batch size 1, %d intra-op thread(s) per worker",
                                s.jobs(),
                                s.side(),
                                s.side(),
                                s.steps(),
                                s.threads());
                        for (int workers : counts) {
                            Throughput.Run run =
                                    throughput.measure(workers, 1, s.threads(), s.jobs(), s.side(), s.steps());
                            row(report, "workers_" + workers, workers + " worker(s)", run);
                        }
                    }
                });
    }

    public static Benchmark batching() {
        return new Benchmark(
                "fleet-batching",
                "images/s at micro-batch size 4 over batch size 1, one worker process",
                "  --jobs N         jobs per run (default 40)\n" + COMMON.formatted(64, 20),
                VALUED,
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 40, 64, 20);
                    try (BenchStack bench = start(args, log)) {
                        Throughput throughput = new Throughput(bench, log);
                        Throughput.Run one = throughput.measure(1, 1, s.threads(), s.jobs(), s.side(), s.steps());
                        Throughput.Run four = throughput.measure(1, 4, s.threads(), s.jobs(), s.side(), s.steps());
                        report.row(
                                "setting",
                                "%d jobs per run (%dx%d, %d steps), 1 worker, %d intra-op thread(s)",
                                s.jobs(),
                                s.side(),
                                s.side(),
                                s.steps(),
                                s.threads());
                        row(report, "batch_1", "batch size 1", one);
                        row(report, "batch_4", "batch size 4", four);
                        double ratio = four.imagesPerSecond() / one.imagesPerSecond();
                        report.row("micro-batching ratio (images/s at batch 4 over batch 1)", "%.2f", ratio)
                                .figure("batching_ratio", ratio);
                    }
                });
    }

    public static Benchmark killTrials() {
        return new Benchmark(
                "fleet-killtrials",
                "SIGKILL a worker mid-job, start another, check every job is done once (fails otherwise)",
                "  --trials N       (default 20)\n"
                        + "  --jobs N         jobs per trial (default 2)\n"
                        + COMMON.formatted(128, 30)
                                .replace(
                                        "--size N         image side (default 128)",
                                        "--size N         image side (default 128, so that a job runs for a while)"),
                VALUED,
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 2, 128, 30);
                    int trials = args.getInt("trials", 20);
                    if (trials < 1) {
                        throw new Args.UsageException("--trials must be at least 1");
                    }
                    try (BenchStack bench = start(args, log)) {
                        new KillTrials(bench, log).run(trials, s.jobs(), s.side(), s.steps(), report);
                    }
                });
    }

    public static Benchmark soak() {
        return new Benchmark(
                "fleet-soak",
                "RSS of one worker process over many jobs through Kafka and S3: the last within 5 % of job --at (a check)",
                """
                  --jobs N         jobs (default 2000)
                  --at N           the result RSS is compared from (default 100)
                  --every N        read RSS every N results (default jobs/20)
                  --tolerance PCT  allowed growth from result --at to the last (default 5)
                """
                        + COMMON.formatted(512, 1)
                                .replace(
                                        "denoising steps (default 1)",
                                        "denoising steps (default 1: memory is per image, not per step)"),
                Stream.concat(VALUED.stream(), Stream.of("at", "every", "tolerance"))
                        .collect(Collectors.toUnmodifiableSet()),
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 2000, 512, 1);
                    int at = args.getInt("at", 100);
                    int every = Math.max(1, args.getInt("every", Math.max(1, s.jobs() / 20)));
                    try (BenchStack bench = start(args, log)) {
                        new WorkerSoak(bench, log)
                                .run(
                                        s.jobs(),
                                        at,
                                        every,
                                        args.getDouble("tolerance", 5),
                                        s.threads(),
                                        s.side(),
                                        s.steps(),
                                        report);
                    }
                });
    }

    public static Benchmark priority() {
        return new Benchmark(
                "fleet-priority",
                "how long a high job waits behind a queue of low ones (strict priority lanes), in job-times",
                "  --jobs N         low jobs queued first (default 200)\n" + COMMON.formatted(64, 20),
                VALUED,
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 200, 64, 20);
                    try (BenchStack bench = start(args, log)) {
                        new PriorityWait(bench, log).run(s.jobs(), s.threads(), s.side(), s.steps(), report);
                    }
                });
    }

    public static Benchmark starvation() {
        return new Benchmark(
                "tenant-starvation",
                "how long tenant B's one image waits behind tenant A's backlog, with and without max_images_in_flight",
                "  --requests N     tenant A's requests (default 50)\n"
                        + "  --images N       images per request of A (default 10; 1..16)\n"
                        + "  --cap N          max_images_in_flight of A and B in the capped run (default 2)\n"
                        + COMMON.formatted(64, 20),
                Stream.concat(VALUED.stream(), Stream.of("requests", "images", "cap"))
                        .collect(Collectors.toUnmodifiableSet()),
                Set.of(),
                (args, report, log) -> {
                    Settings s = Settings.of(args, 1, 64, 20);
                    int requests = args.getInt("requests", 50);
                    int images = args.getInt("images", 10);
                    int cap = args.getInt("cap", 2);
                    if (requests < 1 || images < 1 || images > 16 || cap < 1) {
                        throw new Args.UsageException("--requests and --cap must be at least 1, --images 1..16");
                    }
                    try (BenchStack bench = start(args, log)) {
                        new TenantStarvation(bench, log)
                                .run(requests, images, cap, s.threads(), s.side(), s.steps(), report);
                    }
                });
    }

    private static BenchStack start(Args args, PrintStream log) {
        BenchStack bench =
                BenchStack.start(PipelineOptions.model(args), KafkaOptions.outsideKafka(args, System.getenv()));
        log.println("local stack: Kafka " + bench.stack().bootstrapServers() + ", S3 "
                + bench.stack().s3Endpoint() + ", worker logs under "
                + bench.dir().resolve("logs"));
        return bench;
    }

    private static void row(BenchReport report, String key, String label, Throughput.Run run) {
        report.row(
                        label,
                        "%d jobs in %.1f s = %.2f images/s; worker RSS %s MiB (peak %s MiB)",
                        run.jobs(),
                        run.seconds(),
                        run.imagesPerSecond(),
                        mib(run.rssKiB()),
                        mib(run.peakRssKiB()))
                .figure(key + ".images_per_s", run.imagesPerSecond())
                .figure(key + ".seconds", run.seconds())
                .figure(key + ".rss_kib", run.rssKiB())
                .figure(key + ".peak_rss_kib", run.peakRssKiB());
    }

    private static List<Long> mib(List<Long> kib) {
        return kib.stream().map(k -> k < 0 ? -1 : k / 1024).toList();
    }
}
