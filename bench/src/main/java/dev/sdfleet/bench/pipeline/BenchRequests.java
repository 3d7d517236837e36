package dev.sdfleet.bench.pipeline;

import dev.sdfleet.cli.Args;
import dev.sdfleet.pipeline.PipelineRequest;
import java.util.Locale;

/**
 * The one request the pipeline benchmarks time: {@code --prompt}, {@code --size}, {@code --steps}, {@code --scheduler}
 * (default: the model's), seed 42, guidance 7.5.
 */
final class BenchRequests {
    private BenchRequests() {}

    static PipelineRequest fromArgs(Args args, String defaultSize, int defaultSteps) {
        String[] size = args.get("size", defaultSize).toLowerCase(Locale.ROOT).split("x");
        return PipelineRequest.builder(args.get("prompt", "a red circle on a blue background"))
                .size(Integer.parseInt(size[0]), Integer.parseInt(size[1]))
                .steps(args.getInt("steps", defaultSteps))
                .scheduler(args.get("scheduler", null))
                .guidance(7.5)
                .seed(42)
                .build();
    }
}
