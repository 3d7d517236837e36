package dev.sdfleet.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngDecoderTest {

    private static byte[] writeWithImageIo(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] zlib(String text) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            byte[] out = new byte[1024];
            int length = deflater.deflate(out);
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    @Test
    void rgbaDropsAlpha() throws IOException {
        BufferedImage argb = new BufferedImage(3, 2, BufferedImage.TYPE_4BYTE_ABGR);
        argb.setRGB(0, 0, 0x00FF0000); // fully transparent red keeps its colour, as PIL's convert("RGB") does
        argb.setRGB(1, 0, 0x8000FF00);
        argb.setRGB(2, 1, 0xFF0000FF);
        RgbImage image = PngDecoder.decode(writeWithImageIo(argb));
        assertEquals(0xFF0000, image.rgb(0, 0));
        assertEquals(0x00FF00, image.rgb(1, 0));
        assertEquals(0x0000FF, image.rgb(2, 1));
        assertEquals(0x000000, image.rgb(0, 1));
    }

    @Test
    void greyIsCopiedToAllChannelsWithoutGammaChange() throws IOException {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 7);
        RgbImage image = PngDecoder.decode(writeWithImageIo(grey));
        assertEquals(0x808080, image.rgb(0, 0));
        assertEquals(0x070707, image.rgb(1, 0));
    }

    @Test
    void paletteImagesMapThroughThePalette() throws IOException {
        byte[] reds = {(byte) 220, 40};
        byte[] greens = {40, (byte) 170};
        byte[] blues = {40, 60};
        BufferedImage indexed =
                new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, reds, greens, blues));
        indexed.getRaster().setSample(1, 0, 0, 1);
        RgbImage image = PngDecoder.decode(writeWithImageIo(indexed));
        assertEquals(0xDC2828, image.rgb(0, 0));
        assertEquals(0x28AA3C, image.rgb(1, 0));
    }

    @Test
    void compressedAndRepeatedTextChunks() {
        byte[] png = PngEncoder.encode(PngEncoderTest.testImage(4, 3, 1), Map.of("seed", "1"));
        byte[] ztxt = PngChunks.chunk(
                "zTXt", PngChunks.concat("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1), zlib("zipped")));
        byte[] itxt = PngChunks.chunk(
                "iTXt",
                PngChunks.concat("Title\0\1\0en\0Titel\0".getBytes(StandardCharsets.ISO_8859_1), zlib("\u732b")));
        byte[] again = PngChunks.chunk("tEXt", ("seed\0" + "2").getBytes(StandardCharsets.ISO_8859_1));
        Map<String, String> texts =
                PngDecoder.textChunks(PngChunks.insertBeforeImageData(png, PngChunks.concat(ztxt, itxt, again)));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("seed", "2"); // the later chunk wins, the position stays that of the first
        expected.put("Comment", "zipped");
        expected.put("Title", "\u732b");
        assertEquals(expected, texts);
    }

    @Test
    void rejectsDamagedFiles() {
        byte[] png = PngEncoder.encode(PngEncoderTest.testImage(4, 3, 1), Map.of("prompt", "a red circle"));
        byte[] flipped = png.clone();
        int keywordByte = 8 + (12 + 13) + 8 + 2; // after the signature, IHDR, tEXt length and type: "prompt"'s 'o'
        flipped[keywordByte] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> PngDecoder.textChunks(flipped));
        assertThrows(IllegalArgumentException.class, () -> PngDecoder.textChunks(Arrays.copyOf(png, png.length - 12)));
        assertThrows(IllegalArgumentException.class, () -> PngDecoder.textChunks(Arrays.copyOf(png, 30)));
        assertThrows(IllegalArgumentException.class, () -> PngDecoder.textChunks("GIF89a".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> PngDecoder.decode("not an image".getBytes()));
        byte[] badUtf8 = PngChunks.chunk("iTXt", new byte[] {'k', 0, 0, 0, 0, 0, (byte) 0xC3});
        assertThrows(
                IllegalArgumentException.class,
                () -> PngDecoder.textChunks(PngChunks.insertBeforeImageData(png, badUtf8)));
    }
}
