package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.BenchMain;
import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.cli.Args;
import dev.sdfleet.worker.WorkerJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./sdfleet bench soak}: does a worker's memory level off? Runs the pipeline benchmark in a child JVM started
 * with the worker's own JVM options ({@link WorkerJvm#HEAP}), reads its RSS every few images, and fails unless RSS at
 * the last image is within {@code --tolerance} (5 %) of RSS at image {@code --at}. {@code --compare-default} runs a
 * second child with the JVM's default heap, the configuration whose RSS grew.
 */
public final class SoakBench {
    private static final Pattern RSS_LINE = Pattern.compile("^run\\s+(\\d+)\\s+RSS\\s+(\\d+) KiB");

    private SoakBench() {}

    public static Benchmark benchmark() {
        return new Benchmark(
                "soak",
                "RSS of a JVM with the worker's options over many images: the last within 5 % of image --at (a check)",
                """
                  --runs N           images (default 2000)
                  --at N             the image RSS is compared from (default 100)
                  --size WxH         (default 512x512)
                  --steps N          denoising steps (default 1: memory is per image, not per step)
                  --every N          read RSS every N images (default runs/20)
                  --tolerance PCT    allowed growth from image --at to the last (default 5)
                  --model DIR        model folder (default: the bundled tiny model)
                  --compare-default  also run with the JVM's default heap
                """,
                Set.of("runs", "at", "size", "steps", "every", "tolerance", "model"),
                Set.of("compare-default"),
                SoakBench::run);
    }

    private static void run(Args args, BenchReport report, PrintStream log) throws Exception {
        int runs = args.getInt("runs", 2000);
        int at = args.getInt("at", 100);
        int every = Math.max(1, args.getInt("every", Math.max(1, runs / 20)));
        double tolerance = args.getDouble("tolerance", 5);
        List<String> pipelineArgs = new ArrayList<>(List.of(
                "--size", args.get("size", "512x512"),
                "--steps", String.valueOf(args.getInt("steps", 1)),
                "--runs", String.valueOf(runs),
                "--warmup", "3",
                "--rss-every", String.valueOf(every)));
        if (args.has("model")) {
            pipelineArgs.addAll(List.of("--model", args.get("model", "")));
        }
        report.row("images", "%d at %s, %s steps", runs, args.get("size", "512x512"), args.getInt("steps", 1))
                .figure("runs", runs)
                .figure("at", at);
        TreeMap<Integer, Long> worker = trace(WorkerJvm.HEAP, pipelineArgs, log);
        verdict(report, "worker JVM (" + String.join(" ", WorkerJvm.HEAP) + ")", "worker", worker, at, tolerance, true);
        if (args.has("compare-default")) {
            TreeMap<Integer, Long> defaults = trace(List.of(), pipelineArgs, log);
            verdict(report, "default JVM heap", "default", defaults, at, tolerance, false);
        }
    }

    /**
     * Compares RSS at the last image with RSS at image {@code at} (or the first reading after it); with {@code check},
     * a growth past {@code tolerance} percent fails the report. Also the fleet's worker soak's verdict.
     */
    public static void verdict(
            BenchReport report,
            String label,
            String key,
            TreeMap<Integer, Long> rss,
            int at,
            double tolerance,
            boolean check) {
        Integer from = rss.ceilingKey(at);
        if (from == null || rss.isEmpty()) {
            report.fail(label + ": no RSS reading at or after image " + at);
            return;
        }
        long start = rss.get(from);
        long end = rss.lastEntry().getValue();
        double growth = 100.0 * (end - start) / start;
        report.row(
                        label,
                        "RSS %d MiB at image %d, %d MiB at image %d: %+.1f %%",
                        start / 1024,
                        from,
                        end / 1024,
                        rss.lastKey(),
                        growth)
                .figure(key + "_rss_kib_by_image", rss)
                .figure(key + "_growth_pct", growth);
        if (check && growth > tolerance) {
            report.fail(
                    String.format(Locale.ROOT, "%s: RSS grew %.1f %% (more than %.1f %%)", label, growth, tolerance));
        }
    }

    /** RSS (KiB) by image of the pipeline benchmark run in a child JVM with {@code jvmOptions}. */
    static TreeMap<Integer, Long> trace(List<String> jvmOptions, List<String> pipelineArgs, PrintStream log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("--enable-native-access=ALL-UNNAMED");
        if (System.getProperty("sdfleet.home") != null) {
            command.add("-Dsdfleet.home=" + System.getProperty("sdfleet.home")); // where the bundled model is
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "pipeline"));
        command.addAll(pipelineArgs);
        log.println("soak: " + (jvmOptions.isEmpty() ? "(default JVM)" : String.join(" ", jvmOptions)));
        Process child = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        TreeMap<Integer, Long> rss = new TreeMap<>();
        java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
        try (BufferedReader err =
                new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                tail.addLast(line);
                if (tail.size() > 10) {
                    tail.removeFirst();
                }
                Matcher m = RSS_LINE.matcher(line);
                if (m.find()) {
                    rss.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                    log.println("  " + line);
                }
            }
        }
        int exit = child.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(
                    "the pipeline benchmark exited with " + exit + ":\n" + String.join("\n", tail));
        }
        return rss;
    }
}
