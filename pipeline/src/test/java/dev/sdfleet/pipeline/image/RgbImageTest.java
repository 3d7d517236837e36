package dev.sdfleet.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RgbImageTest {

    @Test
    void rgbReadsPackedRowMajorPixels() {
        // 2x2: pixel (x, y) starts at byte (y * width + x) * 3
        byte[] pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, (byte) 250, (byte) 251, (byte) 252};
        RgbImage image = new RgbImage(2, 2, pixels);
        assertEquals(0x010203, image.rgb(0, 0));
        assertEquals(0x040506, image.rgb(1, 0));
        assertEquals(0x070809, image.rgb(0, 1));
        assertEquals(0xFAFBFC, image.rgb(1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> image.rgb(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> image.rgb(0, -1));
    }

    @Test
    void rejectsWrongLengthsAndSizes() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(-1, -3, new byte[9]));
        // width * height * 3 overflows int: must still be rejected, not wrap around to a matching length
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(65536, 65536, new byte[0]));
        assertThrows(NullPointerException.class, () -> new RgbImage(1, 1, null));
    }

    @Test
    void equalityIsByContent() {
        RgbImage a = new RgbImage(1, 2, new byte[] {1, 2, 3, 4, 5, 6});
        RgbImage b = new RgbImage(1, 2, new byte[] {1, 2, 3, 4, 5, 6});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new RgbImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6}));
        assertNotEquals(a, new RgbImage(1, 2, new byte[] {1, 2, 3, 4, 5, 7}));
        assertEquals("RgbImage[1x2]", a.toString());
    }
}
