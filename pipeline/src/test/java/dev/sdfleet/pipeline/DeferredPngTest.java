package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.testing.TinyPipelineTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PngEncoding#DEFERRED}: the call returns pixels and each image encodes its PNG when first asked, byte for byte
 * the PNG the call would have encoded itself.
 */
class DeferredPngTest extends TinyPipelineTest {

    @Test
    void aDeferredPngIsEncodedWhenAskedAndEqualsTheOneEncodedInTheCall() {
        PipelineRequest request = GenerationTest.tiny(GenerationTest.PROMPT, "a green square on a white background")
                .build();
        GenerationResult inCall = pipeline.generate(request);
        GenerationResult deferred =
                pipeline.generate(request, ProgressListener.NONE, Cancellation.none(), PngEncoding.DEFERRED);

        assertEquals(0, deferred.timings().pngNanos(), "nothing was encoded in the call");
        List<GeneratedImage> images = deferred.images();
        assertEquals(2, images.size());
        for (int i = 0; i < images.size(); i++) {
            GeneratedImage image = images.get(i);
            GeneratedImage expected = inCall.images().get(i);
            assertTrue(expected.isEncoded());
            assertFalse(image.isEncoded(), "deferred: not encoded until asked");
            assertEquals(i, image.index());
            assertEquals(expected.seed(), image.seed());
            assertEquals(expected.image(), image.image());
            byte[] png = image.png();
            assertTrue(image.isEncoded());
            assertSame(png, image.png(), "encoded once");
            assertArrayEquals(expected.png(), png);
            assertEquals(image.image(), PngDecoder.decode(png));
        }
    }
}
