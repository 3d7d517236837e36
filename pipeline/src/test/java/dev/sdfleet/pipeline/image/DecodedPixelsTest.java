package dev.sdfleet.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DecodedPixelsTest {

    /** A float32 u in [0.25, 1] whose {@code u * 255} is exactly {@code target} (searched within 8 ulps). */
    private static float unitLandingOn(float target) {
        float start = target / 255f;
        for (float down = start, up = start;
                up - start < 8 * Math.ulp(start);
                down = Math.nextDown(down), up = Math.nextUp(up)) {
            if (down * 255f == target) {
                return down;
            }
            if (up * 255f == target) {
                return up;
            }
        }
        throw new AssertionError("no float32 times 255 lands exactly on " + target);
    }

    /** The decoder value x with {@code x / 2 + 0.5 == unit} exactly (Sterbenz: unit - 0.5 is exact from 0.25 up). */
    private static float decoderValue(float unit) {
        float x = (unit - 0.5f) * 2f;
        assertEquals(unit, x / 2f + 0.5f);
        return x;
    }

    private static int byteOf(float x) {
        return DecodedPixels.toByte(x) & 0xFF;
    }

    @Test
    void exactHalvesRoundToEven() {
        assertEquals(127.5f, (0f / 2f + 0.5f) * 255f); // x = 0 lands on 127.5 exactly
        assertEquals(128, byteOf(0f));
        assertEquals(128, byteOf(decoderValue(unitLandingOn(128.5f))), "128.5 -> 128 (even), not 129");
        assertEquals(126, byteOf(decoderValue(unitLandingOn(126.5f))));
        assertEquals(130, byteOf(decoderValue(unitLandingOn(129.5f))));
        assertEquals(254, byteOf(decoderValue(unitLandingOn(254.5f))));
        // one float32 step above or below an exact half rounds to nearest
        assertEquals(129, byteOf(decoderValue(Math.nextUp(unitLandingOn(128.5f)))));
        assertEquals(127, byteOf(decoderValue(Math.nextDown(unitLandingOn(127.5f)))));
    }

    @Test
    void clampsToTheByteRange() {
        assertEquals(0, byteOf(-1f));
        assertEquals(0, byteOf(-1.5f));
        assertEquals(0, byteOf(Float.NEGATIVE_INFINITY));
        assertEquals(255, byteOf(1f));
        assertEquals(255, byteOf(3f));
        assertEquals(255, byteOf(Float.POSITIVE_INFINITY));
        assertEquals(0, byteOf(Float.NaN));
    }

    @Test
    void nchwPlanesBecomePackedRgbRowMajor() {
        int width = 3;
        int height = 2;
        int plane = width * height;
        // Two images in a batch; convert the second. Values encode channel c, row y, column x as distinct bytes.
        float[] batch = new float[2 * 3 * plane];
        Arrays.fill(batch, -1f);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int wanted = 100 * c + 10 * y
                            + x; // 0..212; the float error is far below the half step that rounding forgives
                    batch[3 * plane + c * plane + y * width + x] = wanted / 255f * 2f - 1f;
                }
            }
        }
        RgbImage image = DecodedPixels.toImage(batch, 3 * plane, width, height);
        assertEquals(width, image.width());
        assertEquals(height, image.height());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int expected = (10 * y + x) << 16 | (100 + 10 * y + x) << 8 | (200 + 10 * y + x);
                assertEquals(expected, image.rgb(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void rejectsPlanesOutsideTheArray() {
        float[] data = new float[3 * 4 * 2];
        assertEquals(4, DecodedPixels.toImage(data, 0, 4, 2).width());
        assertThrows(IllegalArgumentException.class, () -> DecodedPixels.toImage(data, 1, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> DecodedPixels.toImage(data, -1, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> DecodedPixels.toImage(data, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> DecodedPixels.toImage(data, 0, 65536, 65536));
    }

    /**
     * The golden file is numpy running diffusers' exact post-processing statements on a 20x16 NCHW image whose values
     * include, for every byte k, the float32s landing on and next to k + 0.5, plus infinities, signed zeros and
     * subnormals.
     */
    @Test
    void matchesNumpyOnBoundaryValues() throws IOException {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("decoded-pixels-golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        int width = golden.get("width").asInt();
        int height = golden.get("height").asInt();
        JsonNode bits = golden.get("chwFloatBits");
        float[] chw = new float[bits.size()];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = Float.intBitsToFloat((int) bits.get(i).asLong());
        }
        RgbImage image = DecodedPixels.toImage(chw, 0, width, height);
        assertArrayEquals(HexFormat.of().parseHex(golden.get("rgbHex").asText()), image.pixels());
    }
}
