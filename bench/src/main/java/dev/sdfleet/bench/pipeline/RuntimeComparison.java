package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.PipelineOptions;
import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.StageTimings;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.service.Setting;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bench compare}: two runtime settings of one model in one process, images taken in turn (A, B, A, B, ...), so
 * that a machine whose load changes during the run (two cores shared with builds) slows both alike and the ratio
 * holds. A is the usual pipeline options; B is A with its own ORT session options and guidance split. Memory is not
 * compared here (both models live in the one process): {@code bench stages} measures it, one setting per process.
 */
public final class RuntimeComparison {
    private RuntimeComparison() {}

    public static Benchmark benchmark() {
        return new Benchmark(
                "compare",
                "per-UNet-call and per-image time of two runtime settings, taken in turn in one process",
                """
                  --rounds N            images per setting, taken in turn after one unmeasured each (default 3)
                  --steps N             denoising steps (default 3)
                  --scheduler NAME      (default: the model's)
                  --size WxH            (default 512x512)
                  --b-ort-options LIST  B's ORT session options (default: A's)
                  --b-split-guidance    B runs guidance as two ORT runs
                  --b-whole-guidance    B runs guidance as one ORT run
                  --b-keep-arenas       B keeps each session's CPU arena between images
                  --b-shrink-arenas     B hands each session's CPU arena back after its stage
                """ + PipelineOptions.HELP.indent(2),
                Stream.concat(
                                PipelineOptions.VALUED.stream(),
                                Stream.of("rounds", "steps", "scheduler", "size", "b-ort-options"))
                        .collect(Collectors.toSet()),
                Stream.concat(
                                PipelineOptions.FLAGS.stream(),
                                Stream.of("b-split-guidance", "b-whole-guidance", "b-keep-arenas", "b-shrink-arenas"))
                        .collect(Collectors.toSet()),
                RuntimeComparison::run);
    }

    private static void run(Args args, BenchReport report, PrintStream log) {
        int rounds = Math.max(1, args.getInt("rounds", 3));
        PipelineRequest request = BenchRequests.fromArgs(args, "512x512", 3);
        RuntimeSettings a = PipelineOptions.runtime(args);
        RuntimeSettings b = variant(a, args);
        try (DiffusionPipeline pa = DiffusionPipeline.load(PipelineOptions.model(args), a);
                DiffusionPipeline pb = DiffusionPipeline.load(PipelineOptions.model(args), b)) {
            pa.generate(request);
            pb.generate(request);
            List<StageTimings> ta = new ArrayList<>();
            List<StageTimings> tb = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                ta.add(pa.generate(request).timings());
                tb.add(pb.generate(request).timings());
                log.printf(
                        Locale.ROOT,
                        "round %d: A %.0f ms, B %.0f ms%n",
                        i + 1,
                        ta.getLast().totalNanos() / 1e6,
                        tb.getLast().totalNanos() / 1e6);
            }
            report.row("model", "%s", pa.folder().root())
                    .row(
                            "request",
                            "%dx%d, %d steps (%d UNet calls), guidance %.1f; %d images each, in turn",
                            request.width(),
                            request.height(),
                            request.steps(),
                            ta.getFirst().unetCalls(),
                            request.guidanceScale(),
                            rounds)
                    .row("A", "%s", describe(a))
                    .row("B", "%s", describe(b));
            compare(report, "per UNet call", "unet_call", ta, tb, t -> t.denoiseNanos() / t.unetCalls());
            compare(report, "text encoder", "text", ta, tb, StageTimings::textNanos);
            compare(report, "VAE decode", "decode", ta, tb, StageTimings::decodeNanos);
            compare(report, "per image", "total", ta, tb, StageTimings::totalNanos);
        }
    }

    private static RuntimeSettings variant(RuntimeSettings a, Args args) {
        RuntimeSettings b = a;
        if (args.has("b-ort-options")) {
            var cpu = a.cpu();
            b = new RuntimeSettings(
                    a.providers(),
                    new RuntimeSettings.CpuSettings(
                            cpu.intraOpThreads(),
                            cpu.interOpThreads(),
                            Setting.parseProperties(args.get("b-ort-options", "")),
                            cpu.graphCache()),
                    a.cuda(),
                    a.tensorRt(),
                    a.maxImagesPerCall(),
                    a.splitGuidance(),
                    a.shrinkArenas());
        }
        if (args.has("b-split-guidance")) {
            b = b.withSplitGuidance(true);
        }
        if (args.has("b-whole-guidance")) {
            b = b.withSplitGuidance(false);
        }
        if (args.has("b-keep-arenas")) {
            b = b.withShrinkArenas(false);
        }
        if (args.has("b-shrink-arenas")) {
            b = b.withShrinkArenas(true);
        }
        return b;
    }

    private static String describe(RuntimeSettings settings) {
        return "ORT options " + settings.cpu().sessionOptions() + ", guidance "
                + (settings.splitGuidance() ? "split into two runs" : "in one run") + ", CPU arenas "
                + (settings.shrinkArenas() ? "shrunk after each stage" : "kept");
    }

    private static void compare(
            BenchReport report,
            String measure,
            String key,
            List<StageTimings> a,
            List<StageTimings> b,
            ToLongFunction<StageTimings> nanos) {
        double ma = Percentiles.of(
                        a.stream().map(t -> nanos.applyAsLong(t) / 1e6).toList())
                .p50();
        double mb = Percentiles.of(
                        b.stream().map(t -> nanos.applyAsLong(t) / 1e6).toList())
                .p50();
        report.row(measure + " (median)", "A %.0f ms, B %.0f ms: B/A %.3f", ma, mb, mb / ma)
                .figure(key + "_a_ms", ma)
                .figure(key + "_b_ms", mb)
                .figure(key + "_ratio", mb / ma);
    }
}
