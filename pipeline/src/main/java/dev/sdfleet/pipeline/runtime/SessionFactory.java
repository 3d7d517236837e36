package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                // Load by path, not bytes: ORT resolves external weights (model.onnx_data, weights.pb) next to it.
                OrtSession session = env.createSession(file.toString(), options);
                try {
                    LoadedSession loaded = new LoadedSession(component, file, session, options, provider);
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

    private void configure(
            OrtSession.SessionOptions options, ExecutionProvider provider, TensorRtProfiles.Profile profiles)
            throws OrtException {
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        var cpu = settings.cpu();
        if (cpu.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(cpu.intraOpThreads());
        }
        if (cpu.interOpThreads() > 0) {
            options.setInterOpNumThreads(cpu.interOpThreads());
        }
        // Spinning threads burn a core between our short runs; the loop calls ORT back-to-back anyway.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        switch (provider) {
            case TENSORRT -> {
                options.addTensorrt(tensorRtOptions(profiles));
                options.addCUDA(cudaOptions()); // TensorRT hands unsupported nodes to CUDA
            }
            case CUDA -> options.addCUDA(cudaOptions());
            case CPU -> {
                /* ORT's default provider */
            }
        }
    }

    private OrtCUDAProviderOptions cudaOptions() throws OrtException {
        var cuda = settings.cuda();
        OrtCUDAProviderOptions options = new OrtCUDAProviderOptions(cuda.deviceId());
        if (cuda.memoryLimitBytes() > 0) {
            options.add("gpu_mem_limit", Long.toString(cuda.memoryLimitBytes()));
        }
        options.add("arena_extend_strategy", "kSameAsRequested");
        return options;
    }

    private OrtTensorRTProviderOptions tensorRtOptions(TensorRtProfiles.Profile profiles) throws OrtException {
        var trt = settings.tensorRt();
        OrtTensorRTProviderOptions options =
                new OrtTensorRTProviderOptions(settings.cuda().deviceId());
        for (Map.Entry<String, String> e : tensorRtOptionMap(trt, profiles).entrySet()) {
            options.add(e.getKey(), e.getValue());
        }
        return options;
    }

    /** The TensorRT provider options as ORT's documented keys; public for tests and `sdfleet info`. */
    public static Map<String, String> tensorRtOptionMap(
            RuntimeSettings.TensorRtSettings trt, TensorRtProfiles.Profile profiles) {
        var map = new java.util.LinkedHashMap<String, String>();
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
