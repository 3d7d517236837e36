package dev.sdfleet.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.runtime.SessionFactory;
import dev.sdfleet.pipeline.runtime.TensorRtProfiles;
import dev.sdfleet.service.testing.ReadmeTables;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void defaults() {
        WorkerConfig config = WorkerConfig.fromEnv(Map.of());
        assertEquals("localhost:9092", config.kafkaBootstrap());
        assertEquals("sdfleet-workers", config.groupId());
        assertEquals("sdfleet.jobs.tiny-sd", config.topics().jobs(), "its model's jobs topic");
        assertEquals("images", config.s3().prefix());
        assertNull(config.s3().endpoint());
        assertFalse(config.s3().pathStyle());
        assertEquals("tiny-sd", config.modelId());
        assertEquals(1, config.batchSize());
        assertEquals(2, config.queueCapacity());
        assertEquals(List.of(ExecutionProvider.CPU), config.providers());
        assertTrue(config.workerId().matches("[A-Za-z0-9][A-Za-z0-9._-]*"), config.workerId());
    }

    @Test
    void environmentVariablesOverrideDefaults() {
        WorkerConfig config = WorkerConfig.fromEnv(Map.ofEntries(
                Map.entry("SDFLEET_KAFKA_BOOTSTRAP", "k1:9092,k2:9092"),
                Map.entry("SDFLEET_TOPIC_PREFIX", "acme."),
                Map.entry("SDFLEET_WORKER_ID", "gpu-3"),
                Map.entry("SDFLEET_S3_ENDPOINT", "http://127.0.0.1:9000"),
                Map.entry("SDFLEET_S3_ACCESS_KEY", "id"),
                Map.entry("SDFLEET_S3_SECRET_KEY", "very-secret"),
                Map.entry("SDFLEET_MODEL", "s3://models/sd15/"),
                Map.entry("SDFLEET_PROVIDERS", "cuda,cpu"),
                Map.entry("SDFLEET_BATCH_SIZE", "4"),
                Map.entry("SDFLEET_MAX_IMAGES_PER_CALL", "4"),
                Map.entry("SDFLEET_SHRINK_ARENAS", "true"),
                Map.entry("SDFLEET_BATCH_WAIT_MS", "20"),
                Map.entry("SDFLEET_ORT_OPTIONS", "enable_cpu_mem_arena=0,session.disable_prepacking=1"),
                Map.entry("SDFLEET_KAFKA_PROPERTIES", "security.protocol=SASL_SSL,sasl.jaas.config=x=y")));
        assertEquals("k1:9092,k2:9092", config.kafkaBootstrap());
        assertEquals("acme.results", config.topics().results());
        assertEquals("gpu-3", config.workerId());
        assertEquals(URI.create("http://127.0.0.1:9000"), config.s3().endpoint());
        assertTrue(config.s3().pathStyle(), "a custom endpoint defaults to path-style addressing");
        assertEquals("sd15", config.modelId());
        assertEquals(List.of(ExecutionProvider.CUDA, ExecutionProvider.CPU), config.providers());
        assertEquals(8, config.queueCapacity());
        assertEquals(Duration.ofMillis(20), config.batchWait());
        assertEquals("x=y", config.kafkaProperties().get("sasl.jaas.config"));
        assertEquals(4, config.runtimeSettings().maxImagesPerCall());
        assertTrue(config.runtimeSettings().shrinkArenas());
        assertFalse(WorkerConfig.fromEnv(Map.of()).runtimeSettings().shrinkArenas(), "kept by default");
        assertEquals(
                Map.of("enable_cpu_mem_arena", "0", "session.disable_prepacking", "1"),
                config.runtimeSettings().cpu().sessionOptions());
        assertEquals(
                RuntimeSettings.DEFAULT_MAX_IMAGES_PER_CALL,
                WorkerConfig.fromEnv(Map.of()).runtimeSettings().maxImagesPerCall(),
                "one image per UNet call unless asked: the measured CPU default");
    }

    /** The worker's environment as the exact options ONNX Runtime receives (the GPU image's settings). */
    @Test
    void gpuSettingsReachOrtAsTheseOptions() {
        RuntimeSettings runtime = WorkerConfig.fromEnv(Map.of(
                        "SDFLEET_PROVIDERS", "tensorrt,cuda,cpu",
                        "SDFLEET_THREADS", "6",
                        "SDFLEET_TRT_CACHE", "/var/cache/sdfleet/trt",
                        "SDFLEET_BATCH_SIZE", "2",
                        "SDFLEET_MAX_IMAGES_PER_CALL", "2"))
                .runtimeSettings();
        assertEquals(
                List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU),
                runtime.providers());
        Map<String, String> session = new LinkedHashMap<>();
        session.put("graph_optimization_level", "ALL_OPT");
        session.put("intra_op_num_threads", "6");
        session.put("session.intra_op.allow_spinning", "0");
        assertEquals(session, SessionFactory.sessionOptionMap(runtime.cpu()), "no inter-op count: ORT's default");
        assertEquals(
                Path.of("/var/cache/sdfleet/trt/graphs"),
                runtime.cpu().graphCache(),
                "ORT's optimised CPU graphs beside the TensorRT engines");
        assertEquals(
                null, WorkerConfig.fromEnv(Map.of()).runtimeSettings().cpu().graphCache());
        assertEquals(
                Map.of("device_id", "0", "arena_extend_strategy", "kSameAsRequested"),
                SessionFactory.cudaOptionMap(runtime.cuda()),
                "no gpu_mem_limit: the worker sets none");
        Map<String, String> trt = new LinkedHashMap<>();
        trt.put("device_id", "0");
        trt.put("trt_fp16_enable", "1");
        trt.put("trt_builder_optimization_level", "3");
        trt.put("trt_engine_cache_enable", "1");
        trt.put("trt_engine_cache_path", "/var/cache/sdfleet/trt/engines");
        trt.put("trt_timing_cache_enable", "1");
        trt.put("trt_timing_cache_path", "/var/cache/sdfleet/trt/timing");
        trt.put("trt_profile_min_shapes", "sample:1x4x64x64,encoder_hidden_states:1x77x768");
        trt.put("trt_profile_opt_shapes", "sample:2x4x64x64,encoder_hidden_states:2x77x768");
        trt.put("trt_profile_max_shapes", "sample:4x4x64x64,encoder_hidden_states:4x77x768");
        assertEquals(
                trt,
                SessionFactory.tensorRtProviderOptionMap(
                        runtime,
                        TensorRtProfiles.unet(
                                runtime.tensorRt(),
                                runtime.maxImagesPerCall(),
                                new TensorRtProfiles.Geometry(4, 768, 0, 0))),
                "SD 1.5 UNet: 512x512 only, batch 1..2 images (x2 for guidance)");
    }

    /** The worker sizes the profiles for the model's native size, the warm-up's, not always 512x512. */
    @Test
    void tensorRtProfilesCoverTheModelsNativeSize() {
        WorkerConfig config = WorkerConfig.fromEnv(Map.of("SDFLEET_PROVIDERS", "tensorrt,cpu"));
        RuntimeSettings xl = config.runtimeSettings(new RuntimeSettings.ImageSize(1024, 1024));
        TensorRtProfiles.Profile unet = TensorRtProfiles.unet(
                xl.tensorRt(), xl.maxImagesPerCall(), new TensorRtProfiles.Geometry(4, 2048, 1280, 6));
        assertEquals(
                "sample:1x4x128x128,encoder_hidden_states:1x77x2048,text_embeds:1x1280,time_ids:1x6",
                SessionFactory.tensorRtProviderOptionMap(xl, unet).get("trt_profile_min_shapes"));
        assertEquals(
                "sample:2x4x128x128,encoder_hidden_states:2x77x2048,text_embeds:2x1280,time_ids:2x6",
                SessionFactory.tensorRtProviderOptionMap(xl, unet).get("trt_profile_max_shapes"));
        assertEquals(
                List.of(new RuntimeSettings.ImageSize(512, 512)),
                config.runtimeSettings().tensorRt().imageSizes(),
                "without a model: SD 1.5's 512x512");
    }

    @Test
    void withoutATrtCacheNoCacheOptionsReachOrt() {
        RuntimeSettings runtime = WorkerConfig.fromEnv(Map.of("SDFLEET_PROVIDERS", "tensorrt,cpu"))
                .runtimeSettings();
        Map<String, String> trt = SessionFactory.tensorRtProviderOptionMap(runtime, TensorRtProfiles.Profile.NONE);
        assertEquals(
                List.of("device_id", "trt_fp16_enable", "trt_builder_optimization_level"), List.copyOf(trt.keySet()));
        assertFalse(
                SessionFactory.sessionOptionMap(runtime.cpu()).containsKey("intra_op_num_threads"),
                "SDFLEET_THREADS unset (0): ORT picks");
    }

    @Test
    void theLoggedFormHidesSecrets() {
        String shown = WorkerConfig.fromEnv(Map.of(
                        "SDFLEET_S3_ACCESS_KEY",
                        "id",
                        "SDFLEET_S3_SECRET_KEY",
                        "very-secret",
                        "SDFLEET_KAFKA_PROPERTIES",
                        "sasl.jaas.config=hunter2"))
                .toString();
        assertFalse(shown.contains("very-secret"), shown);
        assertFalse(shown.contains("hunter2"), shown);
        assertTrue(shown.contains("SDFLEET_S3_ACCESS_KEY=id"), shown);
    }

    @Test
    void errorsNameTheVariable() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_BATCH_SIZE", "four")));
        assertTrue(e.getMessage().contains("SDFLEET_BATCH_SIZE"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_BATCH_SIZE", "0")));
        assertTrue(e.getMessage().contains("SDFLEET_BATCH_SIZE"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_WORKER_ID", "gpu 3")));
        assertTrue(e.getMessage().contains("SDFLEET_WORKER_ID"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_ORT_OPTIONS", "turbo=1")));
        assertTrue(e.getMessage().contains("SDFLEET_ORT_OPTIONS"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> WorkerConfig.fromEnv(Map.of("SDFLEET_S3_ACCESS_KEY", "only-the-id")));
    }

    @Test
    void toBuilderKeepsDerivedSettingsDerived() {
        WorkerConfig one = WorkerConfig.builder().workerId("w").build();
        WorkerConfig four = one.toBuilder().batchSize(4).model("/m/other-model").build();
        assertEquals(8, four.queueCapacity());
        assertEquals("other-model", four.modelId());
    }

    @Test
    void toEnvReadsBackAsTheSameConfig() {
        WorkerConfig config = WorkerConfig.builder()
                .workerId("w-child")
                .kafkaBootstrap("127.0.0.1:1234")
                .groupId("g")
                .topicPrefix("t1.")
                .kafkaProperties(Map.of("session.timeout.ms", "6000"))
                .s3Endpoint(java.net.URI.create("http://127.0.0.1:9000"))
                .s3AccessKey("id")
                .s3SecretKey("secret")
                .s3Bucket("bkt")
                .model("/m/tiny-sd")
                .threads(1)
                .batchSize(2)
                .httpPort(0)
                .drainTimeout(java.time.Duration.ofSeconds(3))
                .build();
        assertEquals(config, WorkerConfig.fromEnv(config.toEnv()));
    }

    @Test
    void errorsSayWhatIsAllowed() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_QUEUE_CAPACITY", "0")));
        assertEquals("SDFLEET_QUEUE_CAPACITY must be >= SDFLEET_BATCH_SIZE, got 0", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_HTTP_PORT", "70000")));
        assertEquals("SDFLEET_HTTP_PORT must be 0..65535, got 70000", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_BATCH_SIZE", "65")));
        assertEquals("SDFLEET_BATCH_SIZE must be 1..64, got 65", e.getMessage());
    }

    @Test
    void theBucketNameIsCheckedAgainstS3NamingRulesAtStartUp() {
        for (String good : List.of("sdfleet", "sdfleet-test", "images.prod-1", "abc", "a".repeat(63))) {
            assertEquals(
                    good,
                    WorkerConfig.fromEnv(Map.of("SDFLEET_S3_BUCKET", good)).s3().bucket());
        }
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> WorkerConfig.fromEnv(Map.of("SDFLEET_S3_BUCKET", "Sdfleet_Images")));
        assertEquals("SDFLEET_S3_BUCKET must be " + S3Settings.BUCKET_RULE + ", got Sdfleet_Images", e.getMessage());
        for (String bad : List.of(
                "ab",
                "a".repeat(64),
                "-images",
                "images-",
                "my..images",
                "192.168.5.4",
                "xn--images",
                "images-s3alias",
                "images--ol-s3",
                "sdfleet images")) {
            var refused = assertThrows(
                    IllegalArgumentException.class,
                    () -> WorkerConfig.builder().s3Bucket(bad).build(),
                    bad);
            assertTrue(refused.getMessage().startsWith("SDFLEET_S3_BUCKET must be an S3 bucket name"), bad);
            assertTrue(S3Settings.bucketNameProblem(bad) != null, bad);
        }
        assertEquals("two adjacent periods are not allowed", S3Settings.bucketNameProblem("my..images"));
        assertEquals("it must not look like an IP address", S3Settings.bucketNameProblem("10.0.0.1"));
        // The record refuses them too, with the reason, where it is built without the settings.
        var direct = assertThrows(
                IllegalArgumentException.class,
                () -> new S3Settings(null, "us-east-1", "Images", "images", null, null, false));
        assertEquals(
                "\"Images\" is not an S3 bucket name: only lower-case letters, digits, '.' and '-' are allowed,"
                        + " starting and ending with a letter or digit",
                direct.getMessage());
    }

    @Test
    void aKeyPrefixThatLeavesNoRoomForTheKeyIsRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> WorkerConfig.builder().s3Prefix("p".repeat(513)).build());
        assertTrue(e.getMessage().startsWith("SDFLEET_S3_PREFIX must be at most 512 characters"), e.getMessage());
    }

    @Test
    void theOutageWindowAndTheStallTimeoutHaveSafeDefaultsAndGoDownToMilliseconds() {
        WorkerConfig defaults = WorkerConfig.fromEnv(Map.of());
        assertTrue(defaults.s3RetryWindow().compareTo(Duration.ofMinutes(10)) >= 0, defaults.s3RetryWindow()::toString);
        assertEquals(Duration.ofMinutes(5), defaults.stallTimeout());
        WorkerConfig test =
                WorkerConfig.fromEnv(Map.of("SDFLEET_S3_RETRY_WINDOW_MS", "2000", "SDFLEET_STALL_TIMEOUT_MS", "1000"));
        assertEquals(Duration.ofSeconds(2), test.s3RetryWindow());
        assertEquals(Duration.ofSeconds(1), test.stallTimeout());
        assertThrows(
                IllegalArgumentException.class, () -> WorkerConfig.fromEnv(Map.of("SDFLEET_STALL_TIMEOUT_MS", "0")));
    }

    /** The table in worker/README.md is generated from the declarations: {@code -Dsdfleet.writeReadme=true} rewrites it. */
    @Test
    void theReadmeTableListsTheDeclaredSettings() throws IOException {
        ReadmeTables.assertCurrent(WorkerConfig.SETTINGS, Path.of("README.md"), "WorkerConfig");
    }
}
