package dev.sdfleet.pipeline.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How ONNX Runtime sessions are created: the ordered provider preference and each provider's settings.
 *
 * @param providers preference order; the first that loads for a component wins (CPU always loads)
 * @param cpu thread counts for the CPU provider (and ORT's own CPU work under the GPU providers)
 * @param cuda CUDA device and memory limit
 * @param tensorRt TensorRT precision, caches and optimisation profiles
 * @param maxImagesPerCall the most images in one UNet call
 * @param splitGuidance under classifier-free guidance, run the UNet's unconditional and conditional halves as two ORT
 *     runs instead of one run of twice the batch: the same result, half the activations' memory
 * @param shrinkArenas hand each session's CPU arena back to the system when its stage is done for the image (after
 *     each text encoder and VAE run, after the last UNet run of a generation), so that the stages' activations do not
 *     add up in the process's peak
 */
public record RuntimeSettings(
        List<ExecutionProvider> providers,
        CpuSettings cpu,
        CudaSettings cuda,
        TensorRtSettings tensorRt,
        int maxImagesPerCall,
        boolean splitGuidance,
        boolean shrinkArenas) {

    /**
     * One image per UNet call unless asked otherwise: measured on CPUs, a batch of images costs as much per image as
     * one at a time (no gain) and its memory grows with the batch (BENCHMARKS.md, "images per call"); a GPU may
     * gain from more, and TensorRT's profiles are built for this many.
     */
    public static final int DEFAULT_MAX_IMAGES_PER_CALL = 1;

    /**
     * Guidance split into two runs by default: on an SD-1.5-shaped model at 512x512 it took the process's peak RSS
     * from 11.0 to 8.7 GB (5.9 GB with the CPU arena off) at the same speed (per UNet call B/A 1.000, BENCHMARKS.md,
     * "SD-1.5-shaped model"); the images are the same. A GPU with memory to spare may run the whole batch at once.
     */
    public static final boolean DEFAULT_SPLIT_GUIDANCE = true;

    /**
     * Arenas kept by default. Shrunk, an SD-1.5-shaped model at 512x512 peaked at 6.3 GB instead of 8.4 (5.4 GB past
     * the first image; the UNet keeps its arena between the steps of an image), but every image grows the arenas
     * again: 7 % per image at 3 steps on that model (about 3 % at 20), 8 % on the bundled model at 64x64
     * (BENCHMARKS.md, "SD-1.5-shaped model"). Memory-bound workers of large models turn it on.
     */
    public static final boolean DEFAULT_SHRINK_ARENAS = false;

    /** The settings with the default cap on images per UNet call. */
    public RuntimeSettings(
            List<ExecutionProvider> providers, CpuSettings cpu, CudaSettings cuda, TensorRtSettings tensorRt) {
        this(providers, cpu, cuda, tensorRt, DEFAULT_MAX_IMAGES_PER_CALL);
    }

    /** The settings with the default way of running guidance. */
    public RuntimeSettings(
            List<ExecutionProvider> providers,
            CpuSettings cpu,
            CudaSettings cuda,
            TensorRtSettings tensorRt,
            int maxImagesPerCall) {
        this(providers, cpu, cuda, tensorRt, maxImagesPerCall, DEFAULT_SPLIT_GUIDANCE, DEFAULT_SHRINK_ARENAS);
    }

    /** The settings with the default arena shrinkage. */
    public RuntimeSettings(
            List<ExecutionProvider> providers,
            CpuSettings cpu,
            CudaSettings cuda,
            TensorRtSettings tensorRt,
            int maxImagesPerCall,
            boolean splitGuidance) {
        this(providers, cpu, cuda, tensorRt, maxImagesPerCall, splitGuidance, DEFAULT_SHRINK_ARENAS);
    }

    public RuntimeSettings {
        providers = List.copyOf(Objects.requireNonNull(providers, "providers"));
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("at least one execution provider is needed");
        }
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(cuda, "cuda");
        Objects.requireNonNull(tensorRt, "tensorRt");
        if (maxImagesPerCall < 1) {
            throw new IllegalArgumentException("maxImagesPerCall must be >= 1, got " + maxImagesPerCall);
        }
    }

    /** CPU only, ORT's default thread counts: what tests and the local fleet use. */
    public static RuntimeSettings cpuOnly() {
        return new RuntimeSettings(
                List.of(ExecutionProvider.CPU),
                CpuSettings.defaults(),
                CudaSettings.defaults(),
                TensorRtSettings.defaults());
    }

    /** The same settings with another provider order. */
    public RuntimeSettings withProviders(List<ExecutionProvider> order) {
        return new RuntimeSettings(order, cpu, cuda, tensorRt, maxImagesPerCall, splitGuidance, shrinkArenas);
    }

    /**
     * The same settings with another cap on images per UNet call: a request for more runs as several calls of at
     * most this many images, each image the same as in any batch (its noise comes from its own seed).
     */
    public RuntimeSettings withMaxImagesPerCall(int images) {
        return new RuntimeSettings(providers, cpu, cuda, tensorRt, images, splitGuidance, shrinkArenas);
    }

    /** The same settings with guidance run as two ORT runs ({@code true}) or one. */
    public RuntimeSettings withSplitGuidance(boolean split) {
        return new RuntimeSettings(providers, cpu, cuda, tensorRt, maxImagesPerCall, split, shrinkArenas);
    }

    /** The same settings with the CPU arenas shrunk after each stage ({@code true}) or kept. */
    public RuntimeSettings withShrinkArenas(boolean shrink) {
        return new RuntimeSettings(providers, cpu, cuda, tensorRt, maxImagesPerCall, splitGuidance, shrink);
    }

    /**
     * @param intraOpThreads threads inside one operator; 0 lets ORT choose (one per physical core)
     * @param interOpThreads threads across independent operators; 0 lets ORT choose
     * @param sessionOptions ORT session options over the pipeline's own ({@code SessionFactory.sessionOptionMap}):
     *     ORT's session config keys (with a dot, e.g. {@code session.intra_op.allow_spinning}) and the setters by
     *     their names in ORT's Python API ({@code enable_cpu_mem_arena}, {@code enable_mem_pattern},
     *     {@code graph_optimization_level}); for measuring and for an operator's tuning
     * @param graphCache a folder for ORT's optimised graphs ({@link OptimizedGraphCache}); null: none, every load
     *     optimises again
     */
    public record CpuSettings(
            int intraOpThreads, int interOpThreads, Map<String, String> sessionOptions, Path graphCache) {
        /** The setters {@link #sessionOptions} may name besides ORT's dotted config keys. */
        public static final Set<String> SETTERS =
                Set.of("enable_cpu_mem_arena", "enable_mem_pattern", "graph_optimization_level");

        public CpuSettings {
            if (intraOpThreads < 0 || interOpThreads < 0) {
                throw new IllegalArgumentException("thread counts must be >= 0 (0 = ORT default)");
            }
            sessionOptions = Map.copyOf(sessionOptions);
            for (Map.Entry<String, String> e : sessionOptions.entrySet()) {
                if (!e.getKey().contains(".") && !SETTERS.contains(e.getKey())) {
                    throw new IllegalArgumentException("unknown ONNX Runtime session option '" + e.getKey()
                            + "': a config key (with a dot) or one of " + new TreeSet<>(SETTERS));
                }
                if (e.getValue().isBlank()) {
                    throw new IllegalArgumentException("session option '" + e.getKey() + "' has no value");
                }
            }
        }

        public CpuSettings(int intraOpThreads, int interOpThreads, Map<String, String> sessionOptions) {
            this(intraOpThreads, interOpThreads, sessionOptions, null);
        }

        public CpuSettings(int intraOpThreads, int interOpThreads) {
            this(intraOpThreads, interOpThreads, Map.of());
        }

        public static CpuSettings defaults() {
            return new CpuSettings(0, 0);
        }
    }

    /**
     * @param deviceId the GPU ordinal
     * @param memoryLimitBytes the CUDA arena limit; 0 means no limit
     */
    public record CudaSettings(int deviceId, long memoryLimitBytes) {
        public CudaSettings {
            if (deviceId < 0 || memoryLimitBytes < 0) {
                throw new IllegalArgumentException("CUDA device id and memory limit must be >= 0");
            }
        }

        public static CudaSettings defaults() {
            return new CudaSettings(0, 0);
        }
    }

    /**
     * @param fp16 let TensorRT build fp16 kernels
     * @param engineCacheDir where built engines are kept across restarts (null: no cache)
     * @param timingCacheDir where kernel timing results are kept (null: no cache)
     * @param builderOptimizationLevel TensorRT builder level 0..5 (3 is TensorRT's default)
     * @param imageSizes the image sizes (pixels) the optimisation profiles must cover (the batch they cover is the
     *     settings' {@code maxImagesPerCall})
     */
    public record TensorRtSettings(
            boolean fp16,
            Path engineCacheDir,
            Path timingCacheDir,
            int builderOptimizationLevel,
            List<ImageSize> imageSizes) {
        public TensorRtSettings {
            if (builderOptimizationLevel < 0 || builderOptimizationLevel > 5) {
                throw new IllegalArgumentException("TensorRT builder optimisation level must be 0..5");
            }
            imageSizes = List.copyOf(imageSizes);
            if (imageSizes.isEmpty()) {
                throw new IllegalArgumentException("TensorRT profiles need at least one image size");
            }
        }

        public static TensorRtSettings defaults() {
            return new TensorRtSettings(true, null, null, 3, List.of(new ImageSize(512, 512)));
        }
    }

    /** An image size in pixels. */
    public record ImageSize(int width, int height) {
        public ImageSize {
            if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
                throw new IllegalArgumentException(
                        "image size " + width + "x" + height + " must be positive multiples of 8");
            }
        }

        /** Parses {@code 512x768}. */
        public static ImageSize parse(String text) {
            String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            if (parts.length != 2) {
                throw new IllegalArgumentException("image size '" + text + "' is not WIDTHxHEIGHT");
            }
            return new ImageSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        }
    }
}
