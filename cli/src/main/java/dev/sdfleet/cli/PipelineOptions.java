package dev.sdfleet.cli;

import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The model and runtime options every pipeline command (and the pipeline benchmark) shares. */
public final class PipelineOptions {
    public static final Set<String> VALUED = Set.of(
            "model",
            "providers",
            "threads",
            "cuda-device",
            "cuda-mem-limit",
            "trt-cache",
            "trt-opt-level",
            "trt-sizes",
            "trt-max-batch");
    public static final Set<String> FLAGS = Set.of("trt-no-fp16");

    public static final String HELP = """
              --model DIR           model folder in the diffusers/optimum ONNX layout (default: the bundled tiny model)
              --providers LIST      execution providers in order of preference, e.g. tensorrt,cuda,cpu (default: cpu,
                                    or $SDFLEET_PROVIDERS)
              --threads N           CPU intra-op threads (default: ONNX Runtime's choice)
              --cuda-device N       GPU ordinal (default 0);  --cuda-mem-limit BYTES  CUDA arena limit
              --trt-cache DIR       TensorRT engine and timing cache folder
              --trt-opt-level N     TensorRT builder optimisation level 0..5 (default 3)
              --trt-sizes LIST      image sizes the TensorRT profiles cover, e.g. 512x512,768x512
              --trt-max-batch N     most images per call the profiles cover (default 1);  --trt-no-fp16""";

    private PipelineOptions() {}

    /** The repository (or install) root: where the launcher lives. */
    public static Path home() {
        String home = System.getProperty("sdfleet.home", System.getenv().getOrDefault("SDFLEET_HOME", "."));
        return Path.of(home).toAbsolutePath().normalize();
    }

    public static Path model(Args args) {
        Path model = args.has("model") ? Path.of(args.get("model", "")) : home().resolve("models/tiny-sd");
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("model folder " + model + " does not exist");
        }
        return model;
    }

    public static RuntimeSettings runtime(Args args) {
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

    public static Set<String> valued(String... more) {
        return Stream.concat(VALUED.stream(), Arrays.stream(more)).collect(Collectors.toSet());
    }

    public static Set<String> flags(String... more) {
        return Stream.concat(FLAGS.stream(), Arrays.stream(more)).collect(Collectors.toSet());
    }
}
