package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertDecodeError;
import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Init images, masks and strength: img2img and inpainting inputs of a request and its jobs. */
class InputImagesTest {

    /** The header of a PNG file of the given size (all the protocol reads) and some filler. */
    static byte[] pngHeader(int width, int height, int fillerBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        byte[] typed =
                ByteBuffer.allocate(17).put("IHDR".getBytes()).put(ihdr.array()).array();
        out.writeBytes(typed);
        CRC32 crc = new CRC32();
        crc.update(typed);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.writeBytes(new byte[fillerBytes]);
        return out.toByteArray();
    }

    private static GenerationRequest.Builder request() {
        return GenerationRequest.builder("a red circle", "tiny-sd")
                .requestId("r1")
                .tenant("acme");
    }

    @Test
    void anInlineInitImageSetsTheSizeAndTheDefaultStrength() {
        GenerationRequest r =
                request().initImage(ImageInput.inline(pngHeader(64, 128, 10))).build();
        assertEquals(64, r.width());
        assertEquals(128, r.height());
        assertEquals(GenerationRequest.DEFAULT_STRENGTH, r.strength());
        assertArrayEquals(pngHeader(64, 128, 10), r.initImage().decodedData());
        assertArrayEquals(new int[] {64, 128}, r.initImage().inlineSize());
    }

    @Test
    void withoutAnInitImageThereIsNoStrengthAndNoMask() {
        GenerationRequest r = request().build();
        assertNull(r.strength());
        assertEquals(512, r.width());
        assertFieldError(
                "strength", "needs init_image", () -> request().strength(0.5).build());
        assertFieldError(
                "mask_image",
                "needs init_image",
                () -> request()
                        .maskImage(ImageInput.inline(pngHeader(64, 64, 0)))
                        .build());
    }

    @Test
    void strengthIsAboveZeroAndAtMostOne() {
        ImageInput init = ImageInput.inline(pngHeader(64, 64, 0));
        assertEquals(1.0, request().initImage(init).strength(1.0).build().strength());
        for (double bad : new double[] {0.0, -0.1, 1.01, Double.NaN}) {
            assertFieldError(
                    "strength",
                    "(0, 1]",
                    () -> request().initImage(init).strength(bad).build());
        }
    }

    @Test
    void inlineImagesAreNotResized() {
        ImageInput init = ImageInput.inline(pngHeader(64, 64, 0));
        assertFieldError(
                "init_image.data",
                "is 64x64 but the image size is 128x64",
                () -> request().initImage(init).size(128, null).build());
        assertFieldError(
                "mask_image.data",
                "is 64x72",
                () -> request()
                        .initImage(init)
                        .maskImage(ImageInput.inline(pngHeader(64, 72, 0)))
                        .build());
        // A PNG whose sides are no valid image size cannot be a start image either.
        assertFieldError(
                "init_image.data",
                "is 60x64",
                () -> request()
                        .initImage(ImageInput.inline(pngHeader(60, 64, 0)))
                        .build());
    }

    @Test
    void inlineDataMustBeBase64OfAPng() {
        assertDecodeError(
                "init_image.data",
                GenerationRequest.class,
                "{\"prompt\":\"p\",\"model\":\"m\",\"init_image\":{\"data\":\"%%%\"}}");
        assertDecodeError(
                "init_image.data",
                GenerationRequest.class,
                "{\"prompt\":\"p\",\"model\":\"m\",\"init_image\":{\"data\":\"R0lGODlhAQABAAAAACw=\"}}");
        assertDecodeError(
                "mask_image",
                GenerationRequest.class,
                "{\"prompt\":\"p\",\"model\":\"m\",\"init_image\":{\"data\":\""
                        + ImageInput.inline(pngHeader(64, 64, 0)).data() + "\"},\"mask_image\":{}}");
    }

    @Test
    void inlineImagesTogetherStayUnderTheLimit() {
        // Each below the limit alone, both together above it.
        int filler = GenerationRequest.MAX_INLINE_IMAGE_CHARS / 4 * 3 / 2 + 100;
        ImageInput init = ImageInput.inline(pngHeader(64, 64, filler));
        ImageInput mask = ImageInput.inline(pngHeader(64, 64, filler));
        assertTrue(init.inlineChars() < GenerationRequest.MAX_INLINE_IMAGE_CHARS);
        request().initImage(init).build();
        assertFieldError(
                "init_image.data",
                "at most " + GenerationRequest.MAX_INLINE_IMAGE_CHARS,
                () -> request().initImage(init).maskImage(mask).build());
    }

    @Test
    void aKeyMustBeTheTenantsOwnAndNeedsASize() {
        ImageInput own = ImageInput.s3("inputs/acme/photos/a.png");
        GenerationRequest r = request().initImage(own).size(64, 64).build();
        assertEquals("inputs/acme/photos/a.png", r.initImage().s3Key());
        assertFieldError(
                "width",
                "is required with init_image.s3_key",
                () -> request().initImage(own).size(null, 64).build());
        // Another tenant's key is a well-formed message (the tenant is bound after decoding): the dispatcher
        // asks foreignInputKeys at admission, and workers refuse such jobs unread.
        ImageInput other = ImageInput.s3("inputs/acme2/a.png");
        GenerationRequest foreign =
                request().initImage(own).maskImage(other).size(64, 64).build();
        assertEquals(
                List.of("mask_image.s3_key"),
                foreign.foreignInputKeys("acme").stream().map(FieldError::field).toList());
        assertEquals(
                List.of("init_image.s3_key"),
                foreign.foreignInputKeys("acme2").stream()
                        .map(FieldError::field)
                        .toList());
        assertTrue(r.foreignInputKeys("acme").isEmpty());
        assertTrue(request()
                .initImage(ImageInput.inline(pngHeader(64, 64, 0)))
                .build()
                .foreignInputKeys("anyone")
                .isEmpty());
    }

    @Test
    void keysStayInsideTheInputsPrefix() {
        for (String bad : List.of(
                "inputs/acme",
                "inputs/acme/",
                "inputs/acme//a.png",
                "inputs/acme/../b/a.png",
                "inputs/acme/./a.png",
                "inputs/acme/a b.png",
                "outputs/acme/a.png",
                "/inputs/acme/a.png",
                "inputs/acme/" + "a".repeat(1020))) {
            assertFieldError("s3_key", () -> ImageInput.s3(bad));
        }
        assertFalse(ImageInput.s3("inputs/acme/a.png").readableBy("acm"));
        assertTrue(ImageInput.s3("inputs/acme/x/..a.png").readableBy("acme"));
        assertFieldError("", "not both", () -> new ImageInput("AAAA", "inputs/a/b.png"));
        assertFieldError("", "needs one of", () -> new ImageInput(null, null));
    }

    @Test
    void jobsCarryTheInputsAndRoundTrip() {
        GenerationRequest r = request()
                .n(2)
                .initImage(ImageInput.inline(pngHeader(64, 64, 5)))
                .maskImage(ImageInput.inline(pngHeader(64, 64, 3)))
                .strength(0.6)
                .build();
        List<Job> jobs = Jobs.split(r, 1, Instant.parse("2026-03-01T12:00:00Z"));
        for (Job job : jobs) {
            assertEquals(r.initImage(), job.initImage());
            assertEquals(r.maskImage(), job.maskImage());
            assertEquals(0.6, job.strength());
            assertEquals(job, Codec.decode(Codec.encode(job), Job.class));
            assertEquals(job.initImage(), job.nextAttempt(Instant.now()).initImage());
        }
        assertEquals(r, Codec.decode(Codec.encode(r), GenerationRequest.class));
        assertFalse(
                new String(Codec.encode(request().build())).contains("strength"),
                "text-to-image leaves the fields out");
        // A job must say its strength: the dispatcher defaulted it.
        String json = new String(Codec.encode(jobs.getFirst())).replace(",\"strength\":0.6", "");
        assertDecodeError("strength", Job.class, json);
        assertTrue(Arrays.asList(FailureReason.values()).contains(FailureReason.INVALID_INPUT_IMAGE));
    }
}
