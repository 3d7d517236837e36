package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.bench.ProcessMemory;
import dev.sdfleet.cli.Args;
import dev.sdfleet.cli.PipelineOptions;
import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.StageTimings;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bench stages}: what a model costs a process, stage by stage, from a cold start: the model's load time, the
 * first image's latency from process start (what scaling from zero waits for), then per measured image each stage's
 * time and the peak RSS within it, and the process's peak RSS. Made for SD-sized models, where memory, not speed,
 * decides how many workers fit a machine.
 */
public final class StagesBench {
    private StagesBench() {}

    public static Benchmark benchmark() {
        return new Benchmark(
                "stages",
                "load time, first image from process start, per-stage time and peak RSS of one model",
                """
                  --runs N         measured generations after the first (default 1)
                  --steps N        denoising steps (default 20)
                  --scheduler NAME pndm, lms, euler, ... (default: the model's)
                  --size WxH       (default 512x512)
                  --prompt TEXT    (default "a red circle on a blue background")
                """ + PipelineOptions.HELP.indent(2),
                Stream.concat(
                                PipelineOptions.VALUED.stream(),
                                Stream.of("runs", "steps", "scheduler", "prompt", "size"))
                        .collect(Collectors.toSet()),
                Set.copyOf(PipelineOptions.FLAGS),
                StagesBench::run);
    }

    private static void run(Args args, BenchReport report, PrintStream log) {
        int runs = Math.max(1, args.getInt("runs", 1));
        PipelineRequest request = BenchRequests.fromArgs(args, "512x512", 20);
        Instant processStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        try (RssSampler sampler = RssSampler.start()) {
            long rssBefore = ProcessMemory.rssKiB();
            long loadStart = System.nanoTime();
            try (DiffusionPipeline pipeline =
                    DiffusionPipeline.load(PipelineOptions.model(args), PipelineOptions.runtime(args))) {
                long loaded = System.nanoTime();
                double loadMs = (loaded - loadStart) / 1e6;
                long loadPeak = sampler.peakBetween(loadStart, loaded);
                long rssLoaded = ProcessMemory.rssKiB();
                log.printf(Locale.ROOT, "loaded in %.0f ms, RSS %d MiB%n", loadMs, rssLoaded / 1024);

                pipeline.generate(request);
                double firstFromStart =
                        Duration.between(processStart, Instant.now()).toNanos() / 1e6;
                double firstFromLoad = (System.nanoTime() - loaded) / 1e6;
                log.printf(Locale.ROOT, "first image %.0f ms after process start%n", firstFromStart);

                StageTimings sum = null;
                long[] stagePeaks = new long[4];
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    StageTimings t = pipeline.generate(request).timings();
                    long[] ends = {
                        t0 + t.textNanos(),
                        t0 + t.textNanos() + t.denoiseNanos(),
                        t0 + t.textNanos() + t.denoiseNanos() + t.decodeNanos(),
                        System.nanoTime()
                    };
                    long from = t0;
                    for (int s = 0; s < ends.length; s++) {
                        stagePeaks[s] = Math.max(stagePeaks[s], sampler.peakBetween(from, ends[s]));
                        from = ends[s];
                    }
                    sum = sum == null ? t : sum.plus(t);
                    log.printf(Locale.ROOT, "run %d: %.0f ms%n", i + 1, t.totalNanos() / 1e6);
                }
                int calls = sum.unetCalls() / runs;
                report.row(
                                "model",
                                "%s (%s)",
                                pipeline.folder().name(),
                                pipeline.folder().root())
                        .row(
                                "request",
                                "%dx%d, %d steps (%d UNet calls), guidance %.1f; %d measured after the first",
                                request.width(),
                                request.height(),
                                request.steps(),
                                calls,
                                request.guidanceScale(),
                                runs)
                        .row(
                                "load",
                                "%.0f ms (RSS %d MiB before, %d MiB after, peak %d MiB while loading)",
                                loadMs,
                                rssBefore / 1024,
                                rssLoaded / 1024,
                                loadPeak / 1024)
                        .row(
                                "first image",
                                "%.0f ms after process start (%.0f ms after the load)",
                                firstFromStart,
                                firstFromLoad)
                        .row(
                                "text encoder",
                                "%.0f ms, peak RSS %d MiB",
                                ms(sum.textNanos(), runs),
                                stagePeaks[0] / 1024)
                        .row(
                                "denoise",
                                "%.0f ms (%.0f ms per UNet call), peak RSS %d MiB",
                                ms(sum.denoiseNanos(), runs),
                                ms(sum.denoiseNanos(), runs) / calls,
                                stagePeaks[1] / 1024)
                        .row(
                                "VAE decode",
                                "%.0f ms, peak RSS %d MiB",
                                ms(sum.decodeNanos(), runs),
                                stagePeaks[2] / 1024)
                        .row("PNG encode", "%.0f ms, peak RSS %d MiB", ms(sum.pngNanos(), runs), stagePeaks[3] / 1024)
                        .row("per image", "%.0f ms", ms(sum.totalNanos(), runs))
                        .row("peak RSS of the process", "%d MiB (VmHWM)", ProcessMemory.peakKiB() / 1024)
                        .figure("load_ms", loadMs)
                        .figure("load_peak_rss_kib", loadPeak)
                        .figure("rss_after_load_kib", rssLoaded)
                        .figure("first_image_from_process_start_ms", firstFromStart)
                        .figure("first_image_from_load_ms", firstFromLoad)
                        .figure("unet_calls", calls)
                        .figure("text_ms", ms(sum.textNanos(), runs))
                        .figure("denoise_ms", ms(sum.denoiseNanos(), runs))
                        .figure("unet_call_ms", ms(sum.denoiseNanos(), runs) / calls)
                        .figure("decode_ms", ms(sum.decodeNanos(), runs))
                        .figure("png_ms", ms(sum.pngNanos(), runs))
                        .figure("total_ms", ms(sum.totalNanos(), runs))
                        .figure("text_peak_rss_kib", stagePeaks[0])
                        .figure("denoise_peak_rss_kib", stagePeaks[1])
                        .figure("decode_peak_rss_kib", stagePeaks[2])
                        .figure("png_peak_rss_kib", stagePeaks[3])
                        .figure("peak_rss_kib", ProcessMemory.peakKiB());
            }
        }
    }

    private static double ms(long nanos, int runs) {
        return nanos / 1e6 / runs;
    }
}
