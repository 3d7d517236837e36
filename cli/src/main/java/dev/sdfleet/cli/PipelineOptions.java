package dev.sdfleet.cli;

import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.service.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The model and runtime options every pipeline command (and the pipeline benchmark) shares: a picocli mixin for the
 * command line, and {@link #from(Args)} for the benchmarks' own parser, so both read the options the same way.
 */
public final class PipelineOptions {
    private static final ArgsView ARGS = new ArgsView(new PipelineOptions());
    /** The benchmarks' parser: the options that take a value. */
    public static final Set<String> VALUED = ARGS.valued();
    /** The benchmarks' parser: the options that take none. */
    public static final Set<String> FLAGS = ARGS.flags();
    /** The benchmarks' help lines: the command line's. */
    public static final String HELP = ARGS.help();

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "model folder in the diffusers/optimum ONNX layout (default: the bundled tiny model)")
    Path model;

    @Option(
            names = "--providers",
            paramLabel = "LIST",
            description = "execution providers in order of preference, e.g. tensorrt,cuda,cpu (default: cpu, or"
                    + " $SDFLEET_PROVIDERS)")
    String providers;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "CPU intra-op threads (default: ONNX Runtime's choice)")
    int threads;

    @Option(names = "--cuda-device", paramLabel = "N", description = "GPU ordinal (default 0)")
    int cudaDevice;

    @Option(names = "--cuda-mem-limit", paramLabel = "BYTES", description = "CUDA arena limit (default: none)")
    long cudaMemLimit;

    @Option(names = "--trt-cache", paramLabel = "DIR", description = "TensorRT engine and timing cache folder")
    Path trtCache;

    @Option(
            names = "--trt-opt-level",
            paramLabel = "N",
            description = "TensorRT builder optimisation level 0..5 (default 3)")
    int trtOptLevel = 3;

    @Option(
            names = "--trt-sizes",
            paramLabel = "LIST",
            description = "image sizes the TensorRT profiles cover, e.g. 512x512,768x512 (default 512x512)")
    String trtSizes = "512x512";

    @Option(
            names = "--max-images-per-call",
            paramLabel = "N",
            description = "most images in one UNet call (more run as several calls); TensorRT's profiles cover this"
                    + " many (default 1)")
    int maxImagesPerCall = RuntimeSettings.DEFAULT_MAX_IMAGES_PER_CALL;

    @Option(names = "--trt-no-fp16", description = "TensorRT engines in fp32")
    boolean trtNoFp16;

    @Option(
            names = "--split-guidance",
            description = "classifier-free guidance as two UNet runs of half the batch: the same images, half the"
                    + " activations' memory (the default)")
    boolean splitGuidance;

    @Option(names = "--no-split-guidance", description = "classifier-free guidance as one UNet run of the whole batch")
    boolean wholeGuidance;

    @Option(
            names = "--shrink-arenas",
            description = "hand each ONNX Runtime session's CPU arena back after its stage of an image: a lower peak"
                    + " (an SD-1.5-shaped model: 8.4 to 6.3 GB), a few %% more time per image")
    boolean shrinkArenas;

    @Option(
            names = "--graph-cache",
            paramLabel = "DIR",
            description = "keep ONNX Runtime's optimised graphs here: the next load skips the optimisations")
    Path graphCache;

    @Option(
            names = "--ort-options",
            paramLabel = "LIST",
            description = "ONNX Runtime session options over the defaults, key=value,... (config keys such as"
                    + " session.intra_op.allow_spinning=1, or enable_cpu_mem_arena, enable_mem_pattern,"
                    + " graph_optimization_level)")
    String ortOptions = "";

    /** The options as the benchmarks' parser read them. */
    public static PipelineOptions from(Args args) {
        PipelineOptions o = new PipelineOptions();
        o.model = args.has("model") ? Path.of(args.get("model", "")) : null;
        o.providers = args.get("providers", null);
        o.threads = args.getInt("threads", 0);
        o.cudaDevice = args.getInt("cuda-device", 0);
        o.cudaMemLimit = args.getLong("cuda-mem-limit", 0);
        o.trtCache = args.has("trt-cache") ? Path.of(args.get("trt-cache", "")) : null;
        o.trtOptLevel = args.getInt("trt-opt-level", 3);
        o.trtSizes = args.get("trt-sizes", "512x512");
        o.maxImagesPerCall = args.getInt("max-images-per-call", RuntimeSettings.DEFAULT_MAX_IMAGES_PER_CALL);
        o.trtNoFp16 = args.has("trt-no-fp16");
        o.ortOptions = args.get("ort-options", "");
        o.graphCache = args.has("graph-cache") ? Path.of(args.get("graph-cache", "")) : null;
        o.splitGuidance = args.has("split-guidance");
        o.wholeGuidance = args.has("no-split-guidance");
        o.shrinkArenas = args.has("shrink-arenas");
        return o;
    }

    /** The repository (or install) root: where the launcher lives. */
    public static Path home() {
        String home = System.getProperty("sdfleet.home", System.getenv().getOrDefault("SDFLEET_HOME", "."));
        return Path.of(home).toAbsolutePath().normalize();
    }

    /**
     * The model folder: {@code --model}, else the bundled tiny model.
     *
     * @throws IllegalArgumentException when it is not a folder
     */
    public Path model() {
        Path folder = model != null ? model : home().resolve("models/tiny-sd");
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("model folder " + folder + " does not exist");
        }
        return folder;
    }

    /** {@code --threads}: 0 leaves the choice to ONNX Runtime. */
    public int threads() {
        return threads;
    }

    /** {@code --no-split-guidance} wins; else {@code --split-guidance} or the default (on). */
    private boolean splitGuidance() {
        return !wholeGuidance && (splitGuidance || RuntimeSettings.DEFAULT_SPLIT_GUIDANCE);
    }

    public RuntimeSettings runtime() {
        String list = providers != null ? providers : System.getenv().getOrDefault("SDFLEET_PROVIDERS", "cpu");
        var cpu = new RuntimeSettings.CpuSettings(threads, 0, Setting.parseProperties(ortOptions), graphCache);
        var cuda = new RuntimeSettings.CudaSettings(cudaDevice, cudaMemLimit);
        List<RuntimeSettings.ImageSize> sizes = Arrays.stream(trtSizes.split(","))
                .map(RuntimeSettings.ImageSize::parse)
                .toList();
        var trt = new RuntimeSettings.TensorRtSettings(!trtNoFp16, trtCache, trtCache, trtOptLevel, sizes);
        return new RuntimeSettings(
                ExecutionProvider.parseList(list),
                cpu,
                cuda,
                trt,
                maxImagesPerCall,
                splitGuidance(),
                shrinkArenas || RuntimeSettings.DEFAULT_SHRINK_ARENAS);
    }

    public static Path model(Args args) {
        return from(args).model();
    }

    public static RuntimeSettings runtime(Args args) {
        return from(args).runtime();
    }
}
