package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.PipelineOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./sdfleet bench faults}: the fault campaign. Each scenario breaks one thing on a throw-away local fleet
 * (embedded Kafka and S3, workers in child JVMs) and counts the outcome from outside: results, progress and
 * dead-letter topics read with plain consumers, process exits. One row per scenario; the run fails unless every row
 * meets the target (0 lost, 0 duplicate completion events, no crash but those the scenario caused, every poison record
 * dead-lettered).
 */
public final class FaultCampaign {
    /** The scenarios, keyed by the option that sizes them, with their sizes in the full campaign and in {@code --small}. */
    static final List<Named> SCENARIOS = List.of(
            new Named("poison", new PoisonScenario(), 10_000, 12),
            new Named("kills", new KillScenario(), 50, 2),
            new Named("halt", new HaltScenario(), 20, 2),
            new Named("hang", new HangScenario(), 20, 2),
            new Named("outage", new S3OutageScenario(), 180, 5),
            new Named("restart", new BrokerRestartScenario(), 1000, 12),
            new Named("dpoison", new DispatcherPoisonScenario(), 10_000, 14),
            new Named("httpfuzz", new HttpFuzzScenario(), 10_000, 40),
            new Named("hookdown", new WebhookOutageScenario(), 600, 5),
            new Named("trickle", HostileReceiverScenario.trickling(), 20, 2),
            new Named("flood", HostileReceiverScenario.flooding(), 20, 2));

    record Named(String option, FaultScenario scenario, int fullSize, int smallSize) {}

    private FaultCampaign() {}

    public static Benchmark benchmark() {
        StringBuilder options = new StringBuilder("  --small          every scenario in its small form (seconds each)\n"
                + "  --only LIST      scenarios to run, by option name (default all)\n");
        for (Named n : SCENARIOS) {
            options.append(String.format(
                    Locale.ROOT,
                    "  --%-14s %s (default %d, small %d)%n",
                    n.option() + " N",
                    n.scenario().describe(0).replaceFirst("^0 ?", "size: "),
                    n.fullSize(),
                    n.smallSize()));
        }
        options.append("  --model DIR      (default: the bundled tiny model)\n");
        Set<String> valued = new HashSet<>(Set.of("only", "model"));
        SCENARIOS.forEach(n -> valued.add(n.option()));
        return new Benchmark(
                "faults",
                "the fault campaign: poison records (workers and dispatcher), fuzzed HTTP, worker kills, a crashing and a hung job,"
                        + " an S3 outage, webhook receivers down, trickling, flooding; lost / duplicate counts",
                options.toString(),
                Set.copyOf(valued),
                Set.of("small"),
                (args, report, log) -> {
                    List<FaultScenario.Row> rows = run(args, PipelineOptions.model(args), log);
                    for (FaultScenario.Row row : rows) {
                        report.row(row.scenario(), summary(row));
                        if (!row.ok()) {
                            report.fail(row.scenario() + " missed the target");
                        }
                    }
                    report(report, rows);
                    log.print(table(rows));
                });
    }

    /** Runs the scenarios {@code args} selects, at the sizes it asks for, on one local stack. */
    static List<FaultScenario.Row> run(Args args, Path model, PrintStream log) throws Exception {
        boolean small = args.has("small");
        Set<String> only = args.has("only")
                ? Set.of(args.get("only", "").split(","))
                : SCENARIOS.stream().map(Named::option).collect(Collectors.toSet());
        List<FaultScenario.Row> rows = new ArrayList<>();
        try (BenchStack bench = BenchStack.start(model, null)) {
            log.println("fault campaign: Kafka " + bench.stack().bootstrapServers() + ", S3 "
                    + bench.stack().s3Endpoint() + ", worker logs under "
                    + bench.dir().resolve("logs"));
            for (Named n : SCENARIOS) {
                if (!only.contains(n.option())) {
                    continue;
                }
                FaultScenario s = n.scenario();
                int size = args.getInt(n.option(), small ? n.smallSize() : n.fullSize());
                log.println("scenario " + s.name() + ": " + s.describe(size));
                FaultScenario.Row row = s.run(bench, size, log);
                log.println("  -> " + summary(row));
                rows.add(row);
            }
        }
        return rows;
    }

    private static void report(BenchReport report, List<FaultScenario.Row> rows) {
        for (FaultScenario.Row r : rows) {
            String key = r.scenario().replaceAll("[^a-z]+", "_");
            report.figure(key + ".requests", r.requests())
                    .figure(key + ".lost", r.lost())
                    .figure(key + ".duplicates", r.duplicateEvents())
                    .figure(key + ".crashed", r.crashed())
                    .figure(key + ".poison_not_in_dlq", r.poisonNotInDlq())
                    .figure(key + ".missed_checks", r.missedChecks());
        }
    }

    static String summary(FaultScenario.Row r) {
        return String.format(
                Locale.ROOT,
                "%s: %d requests, %d completed, failed %s, %d lost, %d duplicate events, %d extra runs, "
                        + "%d killed by the scenario, %d crashed, %d/%d poison in DLQ, %.1f s to recover%s",
                r.size(),
                r.requests(),
                r.completed(),
                r.failed().isEmpty() ? "none" : r.failed(),
                r.lost(),
                r.duplicateEvents(),
                r.extraRuns(),
                r.killed(),
                r.crashed(),
                r.poison() - r.poisonNotInDlq(),
                r.poison(),
                r.recoverySeconds(),
                r.checks().isEmpty() ? "" : "; " + r.checks() + " (" + r.missedChecks() + " missed)");
    }

    /** The campaign's table in Markdown, one line per scenario. */
    static String table(List<FaultScenario.Row> rows) {
        StringBuilder t = new StringBuilder(
                "| scenario | size | requests | completed | failed (by reason) | lost | duplicate events "
                        + "| extra denoising runs | processes killed by the scenario | other crashes "
                        + "| poison in DLQ | time to recover | other checks |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (FaultScenario.Row r : rows) {
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %s | %d | %d | %d | %d | %d | %s | %.1f s | %s |%n",
                    r.scenario(),
                    r.size(),
                    r.requests(),
                    r.completed(),
                    r.failed().isEmpty() ? "0" : r.failed().toString(),
                    r.lost(),
                    r.duplicateEvents(),
                    r.extraRuns(),
                    r.killed(),
                    r.crashed(),
                    r.poison() == 0 ? "–" : (r.poison() - r.poisonNotInDlq()) + "/" + r.poison(),
                    r.recoverySeconds(),
                    r.checks().isEmpty() ? "–" : r.checks()));
        }
        return t.toString();
    }
}
