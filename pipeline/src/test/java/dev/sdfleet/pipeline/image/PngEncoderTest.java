package dev.sdfleet.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class PngEncoderTest {

    /** Noise (worst case for the filter), a gradient (where Paeth prediction matters) and flat areas, non-square. */
    static RgbImage testImage(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                if (y < height / 3) {
                    pixels[i] = (byte) random.nextInt(256);
                    pixels[i + 1] = (byte) random.nextInt(256);
                    pixels[i + 2] = (byte) random.nextInt(256);
                } else if (y < 2 * height / 3) {
                    pixels[i] = (byte) (x * 7);
                    pixels[i + 1] = (byte) (y * 5 + x);
                    pixels[i + 2] = (byte) (255 - x * 3);
                } else {
                    pixels[i] = (byte) (x < width / 2 ? 240 : 20);
                    pixels[i + 1] = (byte) 200;
                    pixels[i + 2] = (byte) 255;
                }
            }
        }
        return new RgbImage(width, height, pixels);
    }

    private static RgbImage viaImageIo(byte[] png) throws IOException {
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        byte[] pixels = new byte[decoded.getWidth() * decoded.getHeight() * 3];
        for (int y = 0, i = 0; y < decoded.getHeight(); y++) {
            for (int x = 0; x < decoded.getWidth(); x++) {
                int argb = decoded.getRGB(x, y);
                pixels[i++] = (byte) (argb >> 16);
                pixels[i++] = (byte) (argb >> 8);
                pixels[i++] = (byte) argb;
            }
        }
        return new RgbImage(decoded.getWidth(), decoded.getHeight(), pixels);
    }

    @Test
    void imageIoDecodesTheSamePixels() throws IOException {
        for (RgbImage image :
                List.of(testImage(37, 23, 1), testImage(5, 64, 2), testImage(1, 1, 3), testImage(300, 7, 4))) {
            byte[] png = PngEncoder.encode(image, Map.of());
            assertEquals(image, viaImageIo(png), image.toString());
            assertEquals(image, PngDecoder.decode(png), image.toString());
        }
    }

    @Test
    void headerSaysEightBitRgbWithoutInterlace() {
        byte[] png = PngEncoder.encode(testImage(37, 23, 1), Map.of());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, Arrays.copyOf(png, 8));
        PngChunks.Chunk header = PngChunks.read(png).get(0);
        assertEquals("IHDR", header.type());
        ByteBuffer data = ByteBuffer.wrap(header.data());
        assertEquals(37, data.getInt());
        assertEquals(23, data.getInt());
        assertArrayEquals(new byte[] {8, 2, 0, 0, 0}, Arrays.copyOfRange(header.data(), 8, 13));
    }

    @Test
    void everyChunkHasAValidCrcAndTheOrderIsFixed() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("prompt", "a caf\u00e9");
        texts.put("Title", "\u732b \u2014 cat");
        texts.put("empty", "");
        List<PngChunks.Chunk> chunks = PngChunks.read(PngEncoder.encode(testImage(40, 30, 5), texts));
        assertEquals(
                List.of("IHDR", "tEXt", "iTXt", "tEXt", "IDAT", "IEND"),
                chunks.stream().map(PngChunks.Chunk::type).toList());
        for (PngChunks.Chunk chunk : chunks) {
            assertEquals(chunk.computedCrc(), chunk.storedCrc(), chunk.type());
        }
        assertEquals(0, chunks.get(chunks.size() - 1).data().length);
    }

    @Test
    void textChunksHaveTheSpecifiedLayout() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("k", "caf\u00e9");
        texts.put("u", "\u00e9\u732b");
        List<PngChunks.Chunk> chunks = PngChunks.read(PngEncoder.encode(testImage(2, 2, 6), texts));
        // Latin-1 text: keyword NUL text, one byte per character (é is 0xE9, not UTF-8's C3 A9)
        assertArrayEquals(
                new byte[] {'k', 0, 'c', 'a', 'f', (byte) 0xE9}, chunks.get(1).data());
        // otherwise iTXt: keyword NUL, uncompressed (0, 0), empty language tag NUL, empty translated keyword NUL
        byte[] expected =
                PngChunks.concat(new byte[] {'u', 0, 0, 0, 0, 0}, "\u00e9\u732b".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(expected, chunks.get(2).data());
    }

    @Test
    void textChunksReadBackIncludingNonLatin1() {
        GenerationParameters parameters = new GenerationParameters(
                "\u732b\u306e\u7d75, a caf\u00e9 \ud83d\ude00", "blurry", 7, 20, "pndm", 7.5, 16, 8, "tiny-sd");
        Map<String, String> texts = parameters.asTextChunks();
        byte[] png = PngEncoder.encode(testImage(16, 8, 7), texts);
        assertEquals(texts, PngDecoder.textChunks(png));
        assertEquals(
                List.copyOf(texts.keySet()),
                List.copyOf(PngDecoder.textChunks(png).keySet()));
    }

    /** javax.imageio's own PNG metadata parser, as a second, independent reader of the text chunks. */
    @Test
    void imageIoMetadataSeesTheTextChunks() throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("prompt", "a caf\u00e9");
        texts.put("negative_prompt", "\u732b");
        byte[] png = PngEncoder.encode(testImage(4, 4, 8), texts);
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in);
            IIOMetadata metadata = reader.getImageMetadata(0);
            Element root = (Element) metadata.getAsTree("javax_imageio_png_1.0");
            Element text = (Element) root.getElementsByTagName("tEXtEntry").item(0);
            assertEquals("prompt", text.getAttribute("keyword"));
            assertEquals("a caf\u00e9", text.getAttribute("value"));
            NodeList international = root.getElementsByTagName("iTXtEntry");
            assertEquals(1, international.getLength());
            Element entry = (Element) international.item(0);
            assertEquals("negative_prompt", entry.getAttribute("keyword"));
            assertEquals("FALSE", entry.getAttribute("compressionFlag"));
            assertEquals("\u732b", entry.getAttribute("text"));
        } finally {
            reader.dispose();
        }
    }

    @Test
    void sameInputsGiveIdenticalBytes() {
        Map<String, String> texts = new GenerationParameters("p", "n", 1, 2, "s", 3, 40, 30, "m").asTextChunks();
        byte[] first = PngEncoder.encode(testImage(40, 30, 9), texts);
        byte[] second = PngEncoder.encode(testImage(40, 30, 9), new LinkedHashMap<>(texts));
        assertArrayEquals(first, second);
    }

    @Test
    void flatImagesCompressWell() {
        byte[] pixels = new byte[512 * 512 * 3];
        Arrays.fill(pixels, (byte) 77);
        byte[] png = PngEncoder.encode(new RgbImage(512, 512, pixels), Map.of());
        // zlib level 1 (chosen for speed) still shrinks the 786,432 raw bytes more than 100-fold.
        assertTrue(png.length < 786_432 / 100, "flat 512x512 took " + png.length + " bytes");
        assertEquals(new RgbImage(512, 512, pixels), PngDecoder.decode(png));
    }

    @Test
    void rejectsKeywordsAndTextsThatPngCannotHold() {
        RgbImage image = testImage(2, 2, 10);
        for (String keyword :
                List.of("", " lead", "trail ", "dou  ble", "x".repeat(80), "tab\there", "\u732b", "nul\0")) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> PngEncoder.encode(image, Map.of(keyword, "t")),
                    "keyword " + keyword);
        }
        assertEquals(
                1,
                PngDecoder.textChunks(PngEncoder.encode(image, Map.of("x".repeat(79), "t")))
                        .size());
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(image, Map.of("k", "a\0b")));
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(image, Map.of("k", "\u732b\0")));
    }
}
