package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.bench.ProcessMemory;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.PipelineOptions;
import dev.sdfleet.pipeline.Cancellation;
import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.pipeline.GenerationResult;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.PngEncoding;
import dev.sdfleet.pipeline.ProgressListener;
import dev.sdfleet.pipeline.StageTimings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bench pipeline}: the pipeline's own cost, no Kafka or S3. Runs warm-up generations, then measured ones, and
 * reports per-stage times, the share of wall time outside ONNX Runtime run calls, and the process's resident memory
 * (after warm-up, its growth over the measured runs, peak), which is how a native leak shows; RSS is also logged at
 * intervals while it runs.
 *
 * <p>Each generation runs as the worker's inference thread runs it, its PNG deferred ({@link PngEncoding#DEFERRED});
 * the PNG is then encoded and timed on its own, as the worker's output thread does. So the share outside ORT is that
 * of the inference thread, and the PNG encode is reported beside it, with the share it would add on that thread.
 */
public final class PipelineBench {
    private PipelineBench() {}

    public static Benchmark benchmark() {
        return new Benchmark(
                "pipeline",
                "per-stage times of the bare pipeline, the share of time outside ONNX Runtime, RSS",
                """
                  --runs N         measured generations (default 20)
                  --warmup N       generations before measuring (default 3)
                  --steps N        denoising steps (default 20)
                  --scheduler NAME pndm, lms, euler, ... (default: the model's)
                  --prompt TEXT    (default "a red circle on a blue background")
                  --size WxH       (default 64x64)
                  --rss-every N    log RSS every N runs (default: runs/10)
                """ + PipelineOptions.HELP.indent(2),
                Stream.concat(
                                PipelineOptions.VALUED.stream(),
                                Stream.of("runs", "warmup", "steps", "scheduler", "prompt", "size", "rss-every"))
                        .collect(Collectors.toSet()),
                Set.copyOf(PipelineOptions.FLAGS),
                PipelineBench::run);
    }

    private static void run(Args args, BenchReport report, PrintStream log) {
        int runs = Math.max(1, args.getInt("runs", 20));
        int warmup = args.getInt("warmup", 3);
        int every = Math.max(1, args.getInt("rss-every", Math.max(1, runs / 10)));
        PipelineRequest request = BenchRequests.fromArgs(args, "64x64", 20);
        long loadStart = System.nanoTime();
        try (DiffusionPipeline pipeline =
                DiffusionPipeline.load(PipelineOptions.model(args), PipelineOptions.runtime(args))) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            log.printf(
                    Locale.ROOT,
                    "model %s loaded in %.0f ms; RSS %d MiB%n",
                    pipeline.folder().name(),
                    loadMs,
                    ProcessMemory.rssKiB() / 1024);
            for (int i = 0; i < warmup; i++) {
                generateAndEncode(pipeline, request);
            }
            long afterWarmup = ProcessMemory.rssKiB();
            List<Run> timings = new ArrayList<>(runs);
            for (int i = 1; i <= runs; i++) {
                timings.add(generateAndEncode(pipeline, request));
                if (i % every == 0 || i == runs) {
                    log.printf(
                            Locale.ROOT,
                            "run %5d  RSS %6d KiB  (%+d KiB since warm-up)%n",
                            i,
                            ProcessMemory.rssKiB(),
                            ProcessMemory.rssKiB() - afterWarmup);
                }
            }
            long afterRuns = ProcessMemory.rssKiB();
            report.row("model", "%s, loaded in %.0f ms", pipeline.folder().name(), loadMs)
                    .figure("model", pipeline.folder().name())
                    .figure("load_ms", loadMs);
            report(report, timings, request, warmup);
            report.row("RSS after warm-up", "%d MiB", afterWarmup / 1024)
                    .row("RSS growth over the measured runs", "%+d KiB", afterRuns - afterWarmup)
                    .row("peak RSS", "%d MiB", ProcessMemory.peakKiB() / 1024)
                    .figure("rss_after_warmup_kib", afterWarmup)
                    .figure("rss_growth_kib", afterRuns - afterWarmup)
                    .figure("peak_rss_kib", ProcessMemory.peakKiB());
        }
    }

    /** One measured generation: the pipeline call's timings and the time its PNGs took to encode after it. */
    private record Run(StageTimings call, long encodeNanos) {}

    /** A generation as the worker makes it: the call with the PNG deferred, then the PNG encoded (timed apart). */
    private static Run generateAndEncode(DiffusionPipeline pipeline, PipelineRequest request) {
        GenerationResult result =
                pipeline.generate(request, ProgressListener.NONE, Cancellation.none(), PngEncoding.DEFERRED);
        long start = System.nanoTime();
        for (GeneratedImage image : result.images()) {
            image.png();
        }
        return new Run(result.timings(), System.nanoTime() - start);
    }

    private static void report(BenchReport report, List<Run> runs, PipelineRequest request, int warmup) {
        List<StageTimings> timings = runs.stream().map(Run::call).toList();
        double total = avg(timings, StageTimings::totalNanos);
        double ort = avg(timings, StageTimings::ortNanos);
        double denoise = avg(timings, StageTimings::denoiseNanos);
        double png = runs.stream().mapToLong(Run::encodeNanos).average().orElse(0);
        int calls = timings.getFirst().unetCalls();
        report.row(
                        "runs",
                        "%d measured after %d warm-up, %dx%d, %d steps (%d UNet calls), guidance %.1f",
                        timings.size(),
                        warmup,
                        request.width(),
                        request.height(),
                        request.steps(),
                        calls,
                        request.guidanceScale())
                .row("text encoder", "%.2f ms", avg(timings, StageTimings::textNanos) / 1e6)
                .row("denoise", "%.2f ms (%.3f ms per UNet call)", denoise / 1e6, denoise / calls / 1e6)
                .row("VAE decode", "%.2f ms (to pixels)", avg(timings, StageTimings::decodeNanos) / 1e6)
                .row(
                        "inference thread per image",
                        "%.2f ms, of which inside ORT run calls %.2f ms",
                        total / 1e6,
                        ort / 1e6)
                .row("outside ONNX Runtime", "%.2f %% of the inference thread's wall time", 100 * (total - ort) / total)
                .row("PNG encode", "%.2f ms, after the call (the worker's output thread)", png / 1e6)
                .row(
                        "outside ONNX Runtime, PNG included",
                        "%.2f %% (were the PNG encoded on the inference thread)",
                        100 * (total + png - ort) / (total + png))
                .figure("runs", timings.size())
                .figure("width", request.width())
                .figure("height", request.height())
                .figure("steps", request.steps())
                .figure("unet_calls", calls)
                .figure("text_ms", avg(timings, StageTimings::textNanos) / 1e6)
                .figure("denoise_ms", denoise / 1e6)
                .figure("unet_call_ms", denoise / calls / 1e6)
                .figure("decode_ms", avg(timings, StageTimings::decodeNanos) / 1e6)
                .figure("png_ms", png / 1e6)
                .figure("total_ms", total / 1e6)
                .figure("ort_ms", ort / 1e6)
                .figure("outside_ort_pct", 100 * (total - ort) / total)
                .figure("outside_ort_with_png_pct", 100 * (total + png - ort) / (total + png));
    }

    private static double avg(List<StageTimings> timings, ToLongFunction<StageTimings> f) {
        return timings.stream().mapToLong(f).average().orElse(0);
    }
}
