package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ORT sessions with the configured provider preference: the first provider that loads wins, and the choice
 * is logged and reported through {@link LoadedSession#provider()}.
 *
 * <p>A provider "loads" when ORT accepts it on the session options and then builds the session with it. The CPU
 * build of ORT refuses CUDA and TensorRT at that point, which is how a CPU machine falls through
 * {@code tensorrt,cuda,cpu} to the CPU.
 */
public final class SessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

    private final OrtEnvironment env = OrtRuntime.environment();
    private final RuntimeSettings settings;

    public SessionFactory(RuntimeSettings settings) {
        this.settings = settings;
    }

    public RuntimeSettings settings() {
        return settings;
    }

    /**
     * Opens {@code file} for {@code component}.
     *
     * @param trtProfiles TensorRT shape profiles for this component (empty: let TensorRT build per shape)
     * @throws MissingComponentException when the file does not exist
     * @throws IllegalStateException when no provider in the list could open the file; the message holds each error
     */
    public LoadedSession open(String component, Path file, TensorRtProfiles.Profile trtProfiles) {
        if (!Files.isRegularFile(file)) {
            throw new MissingComponentException(component, file);
        }
        List<String> failures = new ArrayList<>();
        for (ExecutionProvider provider : settings.providers()) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                configure(options, provider, trtProfiles);
                OrtSession session = createSession(component, file, provider, options);
                try {
                    LoadedSession loaded =
                            new LoadedSession(component, file, session, options, provider, settings.shrinkArenas());
                    LOG.info("{}: execution provider {} ({})", component, provider.id(), file);
                    return loaded;
                } catch (OrtException | RuntimeException e) {
                    session.close(); // reading its signature failed: do not leak the native session
                    throw e;
                }
            } catch (OrtException | RuntimeException e) {
                options.close();
                failures.add(provider.id() + ": " + e.getMessage());
                LOG.warn(
                        "{}: execution provider {} did not load, trying the next: {}",
                        component,
                        provider.id(),
                        e.getMessage());
            }
        }
        throw new IllegalStateException(
                "no execution provider could open " + component + " (" + file + "): " + failures);
    }

    /**
     * Creates the session from the cached optimised graph when there is one, else from {@code file} (writing the
     * optimised graph to the cache when one is configured).
     */
    private OrtSession createSession(
            String component, Path file, ExecutionProvider provider, OrtSession.SessionOptions options)
            throws OrtException {
        Path cacheFolder = settings.cpu().graphCache();
        if (cacheFolder == null || provider != ExecutionProvider.CPU) {
            // Load by path, not bytes: ORT resolves external weights (model.onnx_data, weights.pb) next to it.
            return env.createSession(file.toString(), options);
        }
        OptimizedGraphCache cache = new OptimizedGraphCache(cacheFolder);
        Map<String, String> sessionOptions = sessionOptionMap(settings.cpu());
        OptimizedGraphCache.Entry entry = cache.entry(component, file, sessionOptions);
        if (entry.exists()) {
            try {
                // The graph is optimised already: optimising it again would only cost the time the cache saves.
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                OrtSession session = env.createSession(entry.model().toString(), options);
                LOG.info("{}: optimised graph from the cache ({})", component, entry.model());
                return session;
            } catch (OrtException | RuntimeException e) {
                LOG.warn(
                        "{}: the cached graph {} did not open ({}); optimising again",
                        component,
                        entry.model(),
                        e.getMessage());
                cache.discard(entry);
                options.setOptimizationLevel(
                        OrtSession.SessionOptions.OptLevel.valueOf(sessionOptions.get(GRAPH_OPTIMIZATION_LEVEL)));
            }
        }
        cache.writeOnCreate(options, entry);
        OrtSession session = env.createSession(file.toString(), options);
        try {
            cache.commit(entry);
            LOG.info("{}: optimised graph written to the cache ({})", component, entry.model());
        } catch (IOException e) {
            LOG.warn("{}: the optimised graph could not be kept in the cache: {}", component, e.toString());
        }
        return session;
    }

    private void configure(
            OrtSession.SessionOptions options, ExecutionProvider provider, TensorRtProfiles.Profile profiles)
            throws OrtException {
        for (Map.Entry<String, String> e : sessionOptionMap(settings.cpu()).entrySet()) {
            switch (e.getKey()) {
                case GRAPH_OPTIMIZATION_LEVEL ->
                    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(e.getValue()));
                case INTRA_OP_NUM_THREADS -> options.setIntraOpNumThreads(Integer.parseInt(e.getValue()));
                case INTER_OP_NUM_THREADS -> options.setInterOpNumThreads(Integer.parseInt(e.getValue()));
                case ENABLE_CPU_MEM_ARENA -> options.setCPUArenaAllocator(flag(e));
                case ENABLE_MEM_PATTERN -> options.setMemoryPatternOptimization(flag(e));
                default -> options.addConfigEntry(e.getKey(), e.getValue());
            }
        }
        for (String appended : appendedProviders(provider)) {
            switch (appended) {
                case TENSORRT_EP -> options.addTensorrt(tensorRtOptions(profiles));
                case CUDA_EP -> options.addCUDA(cudaOptions());
                default -> throw new IllegalStateException("no options for " + appended);
            }
        }
    }

    static final String TENSORRT_EP = "TensorrtExecutionProvider";
    static final String CUDA_EP = "CUDAExecutionProvider";

    /** Session-option names in {@link #sessionOptionMap} that are setters, not ORT config entries. */
    static final String GRAPH_OPTIMIZATION_LEVEL = "graph_optimization_level";

    static final String INTRA_OP_NUM_THREADS = "intra_op_num_threads";
    static final String INTER_OP_NUM_THREADS = "inter_op_num_threads";
    static final String ENABLE_CPU_MEM_ARENA = "enable_cpu_mem_arena";
    static final String ENABLE_MEM_PATTERN = "enable_mem_pattern";

    private static boolean flag(Map.Entry<String, String> option) {
        return switch (option.getValue().strip().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default ->
                throw new IllegalArgumentException(
                        option.getKey() + " is 1/true or 0/false, got '" + option.getValue() + "'");
        };
    }

    /**
     * What every session gets on its {@code SessionOptions}, whatever the provider: the optimisation level (an
     * {@code OptLevel} name), the thread counts (absent: ORT's default) and ORT session config entries (keys with a
     * dot, passed through {@code addConfigEntry}). Public for tests and `sdfleet info`.
     */
    public static Map<String, String> sessionOptionMap(RuntimeSettings.CpuSettings cpu) {
        var map = new LinkedHashMap<String, String>();
        map.put(GRAPH_OPTIMIZATION_LEVEL, OrtSession.SessionOptions.OptLevel.ALL_OPT.name());
        if (cpu.intraOpThreads() > 0) {
            map.put(INTRA_OP_NUM_THREADS, Integer.toString(cpu.intraOpThreads()));
        }
        if (cpu.interOpThreads() > 0) {
            map.put(INTER_OP_NUM_THREADS, Integer.toString(cpu.interOpThreads()));
        }
        // The CPU arena stays on (ORT's default): off, each session's activations go back when its run ends, so the
        // sessions no longer keep their largest ones side by side (SD-1.5-shaped at 512x512: peak 8.7 GB to 5.9 GB),
        // but every run faults its memory in afresh: 12 % slower per UNet call, 6 % with glibc's transparent huge
        // pages (BENCHMARKS.md, "SD-1.5-shaped model"). SDFLEET_ORT_OPTIONS=enable_cpu_mem_arena=0 chooses memory.

        // Spinning threads burn a core between our short runs, and measured no faster: +1 % per UNet call with
        // spinning on (SD-1.5-shaped, 512x512, bench compare).
        map.put("session.intra_op.allow_spinning", "0");
        map.putAll(cpu.sessionOptions());
        return map;
    }

    /**
     * The providers appended to the session options for a preference entry, in ORT's names and order: TensorRT is
     * always followed by CUDA (for the nodes TensorRT does not take); the CPU needs nothing appended.
     */
    public static List<String> appendedProviders(ExecutionProvider provider) {
        return switch (provider) {
            // TensorRT hands the nodes it does not take to CUDA, so CUDA comes right after it.
            case TENSORRT -> List.of(TENSORRT_EP, CUDA_EP);
            case CUDA -> List.of(CUDA_EP);
            case CPU -> List.of(); // ORT's default provider: nothing to append
        };
    }

    private OrtCUDAProviderOptions cudaOptions() throws OrtException {
        OrtCUDAProviderOptions options =
                new OrtCUDAProviderOptions(settings.cuda().deviceId());
        for (Map.Entry<String, String> e : cudaOptionMap(settings.cuda()).entrySet()) {
            options.add(e.getKey(), e.getValue());
        }
        return options;
    }

    /** The CUDA provider options as ORT's documented keys; public for tests and `sdfleet info`. */
    public static Map<String, String> cudaOptionMap(RuntimeSettings.CudaSettings cuda) {
        var map = new LinkedHashMap<String, String>();
        map.put("device_id", Integer.toString(cuda.deviceId()));
        if (cuda.memoryLimitBytes() > 0) {
            map.put("gpu_mem_limit", Long.toString(cuda.memoryLimitBytes()));
        }
        // Grow the arena by what is asked, not to the next power of two: SD's activations are large.
        map.put("arena_extend_strategy", "kSameAsRequested");
        return map;
    }

    private OrtTensorRTProviderOptions tensorRtOptions(TensorRtProfiles.Profile profiles) throws OrtException {
        OrtTensorRTProviderOptions options =
                new OrtTensorRTProviderOptions(settings.cuda().deviceId());
        for (Map.Entry<String, String> e :
                tensorRtProviderOptionMap(settings, profiles).entrySet()) {
            options.add(e.getKey(), e.getValue());
        }
        return options;
    }

    /**
     * Everything the TensorRT provider receives: the device (the CUDA setting's, so TensorRT and its CUDA fallback
     * share one GPU) and {@link #tensorRtOptionMap}.
     */
    public static Map<String, String> tensorRtProviderOptionMap(
            RuntimeSettings settings, TensorRtProfiles.Profile profiles) {
        var map = new LinkedHashMap<String, String>();
        map.put("device_id", Integer.toString(settings.cuda().deviceId()));
        map.putAll(tensorRtOptionMap(settings.tensorRt(), profiles));
        return map;
    }

    /** The TensorRT provider options as ORT's documented keys; public for tests and `sdfleet info`. */
    public static Map<String, String> tensorRtOptionMap(
            RuntimeSettings.TensorRtSettings trt, TensorRtProfiles.Profile profiles) {
        var map = new LinkedHashMap<String, String>();
        map.put("trt_fp16_enable", trt.fp16() ? "1" : "0");
        map.put("trt_builder_optimization_level", Integer.toString(trt.builderOptimizationLevel()));
        if (trt.engineCacheDir() != null) {
            map.put("trt_engine_cache_enable", "1");
            map.put("trt_engine_cache_path", trt.engineCacheDir().toString());
        }
        if (trt.timingCacheDir() != null) {
            map.put("trt_timing_cache_enable", "1");
            map.put("trt_timing_cache_path", trt.timingCacheDir().toString());
        }
        if (profiles != null && !profiles.isEmpty()) {
            map.put("trt_profile_min_shapes", profiles.min());
            map.put("trt_profile_opt_shapes", profiles.opt());
            map.put("trt_profile_max_shapes", profiles.max());
        }
        return map;
    }
}
