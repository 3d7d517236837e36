package dev.sdfleet.cli;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.StageTimings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sdfleet bench}: the pipeline's own cost. Runs warm-up generations, then measured ones, and prints per-stage
 * times, the share of wall time outside ONNX Runtime run calls, and the process's resident memory (current and peak)
 * at intervals, which is how a native leak shows.
 */
final class BenchCommand implements Main.Command {

    @Override
    public String help() {
        return """
                usage: sdfleet bench [options]
                  --runs N         measured generations (default 20)
                  --warmup N       generations before measuring (default 3)
                  --steps N        denoising steps (default 20)
                  --prompt TEXT    (default "a red circle on a blue background")
                  --size WxH       (default 64x64)
                  --rss-every N    print RSS every N runs (default: runs/10)
                """ + PipelineOptions.HELP;
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv,
                PipelineOptions.valued("runs", "warmup", "steps", "prompt", "size", "rss-every"),
                PipelineOptions.flags());
        int runs = args.getInt("runs", 20);
        int warmup = args.getInt("warmup", 3);
        int every = Math.max(1, args.getInt("rss-every", Math.max(1, runs / 10)));
        String[] size = args.get("size", "64x64").toLowerCase(Locale.ROOT).split("x");
        PipelineRequest request = PipelineRequest.builder(args.get("prompt", "a red circle on a blue background"))
                .size(Integer.parseInt(size[0]), Integer.parseInt(size[1]))
                .steps(args.getInt("steps", 20))
                .guidance(7.5)
                .seed(42)
                .build();
        long loadStart = System.nanoTime();
        try (DiffusionPipeline pipeline =
                DiffusionPipeline.load(PipelineOptions.model(args), PipelineOptions.runtime(args))) {
            out.printf(
                    Locale.ROOT,
                    "model %s loaded in %.0f ms; RSS %d MiB%n",
                    pipeline.folder().name(),
                    (System.nanoTime() - loadStart) / 1e6,
                    rssKiB("VmRSS") / 1024);
            for (int i = 0; i < warmup; i++) {
                pipeline.generate(request);
            }
            long afterWarmup = rssKiB("VmRSS");
            List<StageTimings> timings = new ArrayList<>(runs);
            for (int i = 1; i <= runs; i++) {
                timings.add(pipeline.generate(request).timings());
                if (i % every == 0 || i == runs) {
                    out.printf(
                            Locale.ROOT,
                            "run %5d  RSS %6d KiB  (%+d KiB since warm-up)%n",
                            i,
                            rssKiB("VmRSS"),
                            rssKiB("VmRSS") - afterWarmup);
                }
            }
            report(out, timings, request);
            out.printf(Locale.ROOT, "peak RSS %d MiB%n", rssKiB("VmHWM") / 1024);
        }
        return 0;
    }

    private static void report(PrintStream out, List<StageTimings> timings, PipelineRequest request) {
        double total = avg(timings, StageTimings::totalNanos);
        double ort = avg(timings, StageTimings::ortNanos);
        double denoise = avg(timings, StageTimings::denoiseNanos);
        int calls = timings.getFirst().unetCalls();
        out.printf(
                Locale.ROOT,
                "%d runs of %dx%d, %d steps (%d UNet calls), guidance %.1f%n",
                timings.size(),
                request.width(),
                request.height(),
                request.steps(),
                calls,
                request.guidanceScale());
        out.printf(Locale.ROOT, "  text     %8.2f ms%n", avg(timings, StageTimings::textNanos) / 1e6);
        out.printf(Locale.ROOT, "  denoise  %8.2f ms  (%.3f ms per UNet call)%n", denoise / 1e6, denoise / calls / 1e6);
        out.printf(Locale.ROOT, "  decode   %8.2f ms%n", avg(timings, StageTimings::decodeNanos) / 1e6);
        out.printf(Locale.ROOT, "  png      %8.2f ms%n", avg(timings, StageTimings::pngNanos) / 1e6);
        out.printf(Locale.ROOT, "  total    %8.2f ms, of which inside ORT run %8.2f ms%n", total / 1e6, ort / 1e6);
        out.printf(Locale.ROOT, "  outside ORT: %.2f%% of wall time%n", 100 * (total - ort) / total);
    }

    private static double avg(List<StageTimings> timings, java.util.function.ToLongFunction<StageTimings> f) {
        return timings.stream().mapToLong(f).average().orElse(0);
    }

    /** A field of /proc/self/status in KiB (VmRSS now, VmHWM peak); -1 where /proc is not available. */
    static long rssKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
