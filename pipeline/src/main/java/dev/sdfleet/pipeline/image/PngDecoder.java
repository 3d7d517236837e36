package dev.sdfleet.pipeline.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;

/** Reads PNG files back: the pixels (through javax.imageio) and the text metadata (by walking the chunks). */
public final class PngDecoder {

    private PngDecoder() {}

    /**
     * Decodes a PNG into RGB. 8-bit files give their stored samples exactly, as PIL's {@code convert("RGB")} does:
     * alpha is dropped and grey is copied to R, G and B. Palette images map through their palette; 16-bit images go
     * through Java2D's conversion to 8-bit sRGB.
     *
     * @throws IllegalArgumentException when the bytes are not a PNG that javax.imageio can read
     */
    public static RgbImage decode(byte[] png) {
        Objects.requireNonNull(png, "png");
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not an image format javax.imageio knows");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] pixels = new byte[width * height * RgbImage.CHANNELS];
        Raster raster = image.getRaster();
        // Raw samples where they are plain bytes: getRGB() would colour-manage them (grey PNGs come back in a linear
        // grey space and would brighten; an iCCP profile would shift colours), unlike PIL's convert("RGB").
        boolean rawBytes = image.getColorModel() instanceof ComponentColorModel
                && raster.getTransferType() == DataBuffer.TYPE_BYTE;
        int bands = raster.getNumBands();
        int green = bands >= 3 ? 1 : 0; // grey (+ alpha): the one grey sample serves all three channels
        int blue = bands >= 3 ? 2 : 0;
        int[] row = new int[width * bands];
        for (int y = 0, target = 0; y < height; y++) {
            if (rawBytes) {
                raster.getPixels(0, y, width, 1, row);
                for (int source = 0; source < row.length; source += bands) {
                    pixels[target++] = (byte) row[source];
                    pixels[target++] = (byte) row[source + green];
                    pixels[target++] = (byte) row[source + blue];
                }
            } else {
                for (int x = 0; x < width; x++) {
                    int argb = image.getRGB(x, y);
                    pixels[target++] = (byte) (argb >> 16);
                    pixels[target++] = (byte) (argb >> 8);
                    pixels[target++] = (byte) argb;
                }
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /**
     * The text metadata: tEXt (Latin-1), zTXt and iTXt (UTF-8, compressed or not) chunks, keyword -> text, in file
     * order; a keyword that appears twice keeps its last text. Every chunk's CRC is checked.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed PNG chunk sequence
     */
    public static Map<String, String> textChunks(byte[] png) {
        Objects.requireNonNull(png, "png");
        if (png.length < PngEncoder.SIGNATURE.length
                || !Arrays.equals(
                        png, 0, PngEncoder.SIGNATURE.length, PngEncoder.SIGNATURE, 0, PngEncoder.SIGNATURE.length)) {
            throw new IllegalArgumentException("no PNG signature");
        }
        Map<String, String> texts = new LinkedHashMap<>();
        ByteBuffer in = ByteBuffer.wrap(png, PngEncoder.SIGNATURE.length, png.length - PngEncoder.SIGNATURE.length);
        CRC32 crc = new CRC32();
        while (true) {
            if (in.remaining() < 12) {
                throw new IllegalArgumentException("truncated PNG: no IEND chunk");
            }
            long length = Integer.toUnsignedLong(in.getInt());
            int typeStart = in.position();
            if (length > in.remaining() - 8) {
                throw new IllegalArgumentException(
                        "truncated PNG: chunk at byte " + (typeStart - 4) + " claims " + length + " bytes");
            }
            String type = new String(png, typeStart, 4, StandardCharsets.ISO_8859_1);
            int dataStart = typeStart + 4;
            int dataEnd = dataStart + (int) length;
            crc.reset();
            crc.update(png, typeStart, 4 + (int) length);
            in.position(dataEnd);
            if ((int) crc.getValue() != in.getInt()) {
                throw new IllegalArgumentException("CRC mismatch in " + type + " chunk at byte " + (typeStart - 4));
            }
            byte[] data = Arrays.copyOfRange(png, dataStart, dataEnd);
            switch (type) {
                case "tEXt" -> putText(texts, data, false);
                case "zTXt" -> putText(texts, data, true);
                case "iTXt" -> putInternationalText(texts, data);
                case "IEND" -> {
                    return texts;
                }
                default -> {
                    // pixels and other metadata: not our business here
                }
            }
        }
    }

    /** tEXt: keyword NUL text; zTXt: keyword NUL method compressed-text. Both Latin-1. */
    private static void putText(Map<String, String> texts, byte[] data, boolean compressed) {
        int keywordEnd = indexOfNul(data, 0);
        String keyword = latin1(data, 0, keywordEnd);
        int textStart = keywordEnd + (compressed ? 2 : 1);
        byte[] text = Arrays.copyOfRange(data, Math.min(textStart, data.length), data.length);
        texts.put(keyword, new String(compressed ? inflate(text) : text, StandardCharsets.ISO_8859_1));
    }

    /** iTXt: keyword NUL flag method language NUL translated-keyword NUL text (UTF-8). */
    private static void putInternationalText(Map<String, String> texts, byte[] data) {
        int keywordEnd = indexOfNul(data, 0);
        if (keywordEnd + 3 > data.length) {
            throw new IllegalArgumentException("malformed iTXt chunk");
        }
        boolean compressed = data[keywordEnd + 1] != 0;
        int languageEnd = indexOfNul(data, keywordEnd + 3);
        int translatedEnd = indexOfNul(data, languageEnd + 1);
        byte[] text = Arrays.copyOfRange(data, translatedEnd + 1, data.length);
        texts.put(latin1(data, 0, keywordEnd), utf8(compressed ? inflate(text) : text));
    }

    private static int indexOfNul(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("text chunk without its NUL separator");
    }

    private static String latin1(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Malformed UTF-8 is an error, not a string quietly full of U+FFFD. */
    private static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("iTXt text is not valid UTF-8", e);
        }
    }

    private static byte[] inflate(byte[] compressed) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 4);
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException("truncated compressed text");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt compressed text: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
