package dev.sdfleet.pipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Provider preference lists, TensorRT options and the optimisation profiles derived from configured sizes. */
class ProviderSettingsTest {

    @Test
    void providerListsKeepTheirOrderAndRejectNonsense() {
        assertEquals(
                List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU),
                ExecutionProvider.parseList(" TensorRT, cuda ,cpu"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parseList("cuda,rocm"))
                .getMessage()
                .contains("[tensorrt, cuda, cpu]"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parseList("cpu,cpu"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parseList(" , "));
    }

    @Test
    void tensorRtOptionsCarryPrecisionCachesAndLevel() {
        var trt = new RuntimeSettings.TensorRtSettings(
                true,
                Path.of("/cache/engines"),
                Path.of("/cache/timing"),
                4,
                List.of(new RuntimeSettings.ImageSize(512, 512)));
        Map<String, String> options = SessionFactory.tensorRtOptionMap(trt, TensorRtProfiles.Profile.NONE);
        assertEquals("1", options.get("trt_fp16_enable"));
        assertEquals("4", options.get("trt_builder_optimization_level"));
        assertEquals("1", options.get("trt_engine_cache_enable"));
        assertEquals("/cache/engines", options.get("trt_engine_cache_path"));
        assertEquals("/cache/timing", options.get("trt_timing_cache_path"));
        assertFalse(options.containsKey("trt_profile_min_shapes"), "no profile, no shape options");
    }

    @Test
    void unetProfilesSpanTheConfiguredSizesAndTwiceTheBatch() {
        var trt = new RuntimeSettings.TensorRtSettings(
                true,
                null,
                null,
                3,
                List.of(new RuntimeSettings.ImageSize(512, 768), new RuntimeSettings.ImageSize(768, 512)));
        var sd = new TensorRtProfiles.Geometry(4, 768, 0, 0);
        TensorRtProfiles.Profile unet = TensorRtProfiles.unet(trt, 4, sd);
        assertEquals("sample:1x4x64x64,encoder_hidden_states:1x77x768", unet.min());
        assertEquals("sample:8x4x96x96,encoder_hidden_states:8x77x768", unet.max());
        assertTrue(unet.opt().startsWith("sample:2x4x"), unet.opt());

        var inpainting = new TensorRtProfiles.Geometry(4, 768, 0, 0, 9);
        assertEquals(
                "sample:1x9x64x64,encoder_hidden_states:1x77x768",
                TensorRtProfiles.unet(trt, 4, inpainting).min());
        assertEquals(
                "latent_sample:1x4x96x96",
                TensorRtProfiles.vaeDecoder(trt, inpainting).max());

        var xl = new TensorRtProfiles.Geometry(4, 2048, 1280, 6);
        assertEquals(
                "sample:1x4x64x64,encoder_hidden_states:1x77x2048,text_embeds:1x1280,time_ids:1x6",
                TensorRtProfiles.unet(trt, 4, xl).min());
        assertEquals(
                "latent_sample:1x4x96x96", TensorRtProfiles.vaeDecoder(trt, sd).max());
        assertEquals("input_ids:8x77", TensorRtProfiles.textEncoder(4).max());
        assertTrue(
                TensorRtProfiles.unet(trt, 4, new TensorRtProfiles.Geometry(4, 0, 0, 0))
                        .isEmpty(),
                "unknown geometry: no profile rather than a wrong one");
    }

    @Test
    void imageSizesParseAndValidate() {
        assertEquals(new RuntimeSettings.ImageSize(768, 512), RuntimeSettings.ImageSize.parse("768x512"));
        assertThrows(IllegalArgumentException.class, () -> RuntimeSettings.ImageSize.parse("500x512"));
        assertThrows(IllegalArgumentException.class, () -> RuntimeSettings.ImageSize.parse("512"));
    }
}
