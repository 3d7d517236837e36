package dev.sdfleet.pipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.testing.TinyModels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every setting that reaches ONNX Runtime, as the exact keys and values ORT receives: session options, the CUDA
 * provider's options and the TensorRT provider's. The GPU providers are not loaded (the CPU build cannot); the maps
 * are what {@link SessionFactory} hands to {@code OrtCUDAProviderOptions.add} / {@code OrtTensorRTProviderOptions.add}.
 */
class OrtOptionsTest {
    private static final RuntimeSettings.ImageSize S512 = new RuntimeSettings.ImageSize(512, 512);

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int k = 0; k < keyValues.length; k += 2) {
            map.put(keyValues[k], keyValues[k + 1]);
        }
        return map;
    }

    @Test
    void sessionOptionsByDefaultLeaveThreadsToOrtAndTurnSpinningOff() {
        Map<String, String> options = SessionFactory.sessionOptionMap(RuntimeSettings.CpuSettings.defaults());
        assertEquals(
                List.copyOf(ordered("graph_optimization_level", "ALL_OPT", "session.intra_op.allow_spinning", "0")
                        .entrySet()),
                List.copyOf(options.entrySet()));
    }

    @Test
    void sessionOptionsCarryConfiguredThreadCounts() {
        Map<String, String> options = SessionFactory.sessionOptionMap(new RuntimeSettings.CpuSettings(3, 2));
        assertEquals(
                ordered(
                        "graph_optimization_level", "ALL_OPT",
                        "intra_op_num_threads", "3",
                        "inter_op_num_threads", "2",
                        "session.intra_op.allow_spinning", "0"),
                options);
        assertEquals(
                List.of("intra_op_num_threads", "session.intra_op.allow_spinning"),
                SessionFactory.sessionOptionMap(new RuntimeSettings.CpuSettings(1, 0)).keySet().stream()
                        .skip(1)
                        .toList(),
                "0 inter-op threads: ORT's default, no setter call");
    }

    @Test
    void aRealCpuSessionReceivesTheConfigEntries() {
        Path unet = TinyModels.sd().resolve("unet").resolve("model.onnx");
        var settings = RuntimeSettings.cpuOnly().withProviders(List.of(ExecutionProvider.CPU));
        settings = new RuntimeSettings(
                settings.providers(), new RuntimeSettings.CpuSettings(1, 1), settings.cuda(), settings.tensorRt());
        try (LoadedSession session = new SessionFactory(settings).open("unet", unet, TensorRtProfiles.Profile.NONE)) {
            assertEquals(ExecutionProvider.CPU, session.provider());
            assertEquals(
                    Map.of("session.intra_op.allow_spinning", "0"),
                    session.options().getConfigEntries());
        }
    }

    @Test
    void sessionOptionsOverTheDefaultsReachARealSession() {
        Path unet = TinyModels.sd().resolve("unet").resolve("model.onnx");
        var cpu = new RuntimeSettings.CpuSettings(
                1,
                0,
                Map.of(
                        "session.intra_op.allow_spinning", "1",
                        "session.disable_prepacking", "1",
                        "enable_cpu_mem_arena", "0",
                        "enable_mem_pattern", "false"));
        var settings = new RuntimeSettings(
                List.of(ExecutionProvider.CPU),
                cpu,
                RuntimeSettings.CudaSettings.defaults(),
                RuntimeSettings.cpuOnly().tensorRt());
        try (LoadedSession session = new SessionFactory(settings).open("unet", unet, TensorRtProfiles.Profile.NONE)) {
            assertEquals(
                    Map.of("session.intra_op.allow_spinning", "1", "session.disable_prepacking", "1"),
                    session.options().getConfigEntries(),
                    "an override replaces the default, a new key is added; the setters are no config entries");
        }
    }

    @Test
    void unknownSessionOptionsAndFlagValuesAreRefused() {
        var unknown = assertThrows(
                IllegalArgumentException.class,
                () -> new RuntimeSettings.CpuSettings(0, 0, Map.of("enable_turbo", "1")));
        assertTrue(unknown.getMessage().contains("enable_turbo"), unknown.getMessage());
        var settings = new RuntimeSettings(
                List.of(ExecutionProvider.CPU),
                new RuntimeSettings.CpuSettings(0, 0, Map.of("enable_cpu_mem_arena", "maybe")),
                RuntimeSettings.CudaSettings.defaults(),
                RuntimeSettings.cpuOnly().tensorRt());
        Path unet = TinyModels.sd().resolve("unet").resolve("model.onnx");
        var failed = assertThrows(
                IllegalStateException.class,
                () -> new SessionFactory(settings).open("unet", unet, TensorRtProfiles.Profile.NONE));
        assertTrue(failed.getMessage().contains("enable_cpu_mem_arena"), failed.getMessage());
    }

    @Test
    void cudaOptionsByDefault() {
        assertEquals(
                ordered("device_id", "0", "arena_extend_strategy", "kSameAsRequested"),
                SessionFactory.cudaOptionMap(RuntimeSettings.CudaSettings.defaults()));
    }

    @Test
    void cudaOptionsCarryTheDeviceAndTheArenaLimit() {
        assertEquals(
                ordered(
                        "device_id", "1",
                        "gpu_mem_limit", "8589934592",
                        "arena_extend_strategy", "kSameAsRequested"),
                SessionFactory.cudaOptionMap(new RuntimeSettings.CudaSettings(1, 8L << 30)));
    }

    @Test
    void tensorRtGetsEveryOptionWithCachesAndProfiles() {
        var trt = new RuntimeSettings.TensorRtSettings(
                true, Path.of("/cache/engines"), Path.of("/cache/timing"), 5, List.of(S512));
        var settings = new RuntimeSettings(
                List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CPU),
                RuntimeSettings.CpuSettings.defaults(),
                new RuntimeSettings.CudaSettings(2, 0),
                trt,
                2);
        var profile =
                TensorRtProfiles.unet(trt, settings.maxImagesPerCall(), new TensorRtProfiles.Geometry(4, 768, 0, 0));
        assertEquals(
                ordered(
                        "device_id", "2",
                        "trt_fp16_enable", "1",
                        "trt_builder_optimization_level", "5",
                        "trt_engine_cache_enable", "1",
                        "trt_engine_cache_path", "/cache/engines",
                        "trt_timing_cache_enable", "1",
                        "trt_timing_cache_path", "/cache/timing",
                        "trt_profile_min_shapes", "sample:1x4x64x64,encoder_hidden_states:1x77x768",
                        "trt_profile_opt_shapes", "sample:2x4x64x64,encoder_hidden_states:2x77x768",
                        "trt_profile_max_shapes", "sample:4x4x64x64,encoder_hidden_states:4x77x768"),
                SessionFactory.tensorRtProviderOptionMap(settings, profile));
    }

    @Test
    void tensorRtWithoutCachesOrProfilesSendsNoCacheOrShapeKeys() {
        var trt = new RuntimeSettings.TensorRtSettings(false, null, null, 3, List.of(S512));
        var settings = RuntimeSettings.cpuOnly();
        settings = new RuntimeSettings(settings.providers(), settings.cpu(), settings.cuda(), trt);
        assertEquals(
                ordered("device_id", "0", "trt_fp16_enable", "0", "trt_builder_optimization_level", "3"),
                SessionFactory.tensorRtProviderOptionMap(settings, TensorRtProfiles.Profile.NONE));
    }

    @Test
    void tensorRtDefaultsAreFp16LevelThreeNoCaches512AndOneImage() {
        var trt = RuntimeSettings.TensorRtSettings.defaults();
        assertEquals(
                ordered("trt_fp16_enable", "1", "trt_builder_optimization_level", "3"),
                SessionFactory.tensorRtOptionMap(trt, TensorRtProfiles.Profile.NONE));
        assertEquals(List.of(S512), trt.imageSizes());
        assertEquals(1, RuntimeSettings.cpuOnly().maxImagesPerCall());
    }

    @Test
    void textEncoderAndVaeProfilesAsOrtReceivesThem() {
        var trt = new RuntimeSettings.TensorRtSettings(
                true,
                null,
                null,
                3,
                List.of(new RuntimeSettings.ImageSize(512, 512), new RuntimeSettings.ImageSize(1024, 768)));
        var settings = new RuntimeSettings(
                List.of(ExecutionProvider.TENSORRT),
                RuntimeSettings.CpuSettings.defaults(),
                RuntimeSettings.CudaSettings.defaults(),
                trt,
                3);
        Map<String, String> text = SessionFactory.tensorRtProviderOptionMap(
                settings, TensorRtProfiles.textEncoder(settings.maxImagesPerCall()));
        assertEquals("input_ids:1x77", text.get("trt_profile_min_shapes"));
        assertEquals("input_ids:2x77", text.get("trt_profile_opt_shapes"));
        assertEquals("input_ids:6x77", text.get("trt_profile_max_shapes"));
        Map<String, String> vae = SessionFactory.tensorRtProviderOptionMap(
                settings, TensorRtProfiles.vaeDecoder(trt, new TensorRtProfiles.Geometry(4, 768, 0, 0)));
        assertEquals("latent_sample:1x4x64x64", vae.get("trt_profile_min_shapes"));
        assertEquals("latent_sample:1x4x96x128", vae.get("trt_profile_opt_shapes"), "the size with most pixels");
        assertEquals("latent_sample:1x4x96x128", vae.get("trt_profile_max_shapes"));
    }

    @Test
    void tensorRtIsFollowedByCudaAndTheCpuAppendsNothing() {
        assertEquals(
                List.of("TensorrtExecutionProvider", "CUDAExecutionProvider"),
                SessionFactory.appendedProviders(ExecutionProvider.TENSORRT));
        assertEquals(List.of("CUDAExecutionProvider"), SessionFactory.appendedProviders(ExecutionProvider.CUDA));
        assertEquals(List.of(), SessionFactory.appendedProviders(ExecutionProvider.CPU));
    }
}
