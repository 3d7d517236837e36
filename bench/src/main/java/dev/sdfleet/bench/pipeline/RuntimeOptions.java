package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.BenchArgs;
import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The model and ONNX Runtime options of the pipeline benchmark: the same as {@code ./sdfleet generate} takes. */
final class RuntimeOptions {
    static final Set<String> VALUED = Set.of(
            "model",
            "providers",
            "threads",
            "cuda-device",
            "cuda-mem-limit",
            "trt-cache",
            "trt-opt-level",
            "trt-sizes",
            "trt-max-batch");
    static final Set<String> FLAGS = Set.of("trt-no-fp16");

    static final String HELP = """
              --model DIR           model folder in the diffusers/optimum ONNX layout (default: the bundled tiny model)
              --providers LIST      execution providers in order of preference, e.g. tensorrt,cuda,cpu (default: cpu,
                                    or $SDFLEET_PROVIDERS)
              --threads N           CPU intra-op threads (default: ONNX Runtime's choice)
              --cuda-device N       GPU ordinal (default 0);  --cuda-mem-limit BYTES  CUDA arena limit
              --trt-cache DIR       TensorRT engine and timing cache folder
              --trt-opt-level N     TensorRT builder optimisation level 0..5 (default 3)
              --trt-sizes LIST      image sizes the TensorRT profiles cover, e.g. 512x512,768x512
              --trt-max-batch N     most images per call the profiles cover (default 1);  --trt-no-fp16""".indent(2);

    private RuntimeOptions() {}

    static RuntimeSettings runtime(BenchArgs args) {
        String providers = args.get("providers", System.getenv().getOrDefault("SDFLEET_PROVIDERS", "cpu"));
        var cpu = new RuntimeSettings.CpuSettings(args.getInt("threads", 0), 0);
        var cuda = new RuntimeSettings.CudaSettings(args.getInt("cuda-device", 0), args.getLong("cuda-mem-limit", 0));
        Path cache = args.has("trt-cache") ? Path.of(args.get("trt-cache", "")) : null;
        List<RuntimeSettings.ImageSize> sizes = Arrays.stream(
                        args.get("trt-sizes", "512x512").split(","))
                .map(RuntimeSettings.ImageSize::parse)
                .toList();
        var trt = new RuntimeSettings.TensorRtSettings(
                !args.has("trt-no-fp16"),
                cache,
                cache,
                args.getInt("trt-opt-level", 3),
                sizes,
                args.getInt("trt-max-batch", 1));
        return new RuntimeSettings(ExecutionProvider.parseList(providers), cpu, cuda, trt);
    }
}
