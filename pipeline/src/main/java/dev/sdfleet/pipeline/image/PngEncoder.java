package dev.sdfleet.pipeline.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG writer for 8-bit RGB images with text metadata.
 *
 * <p>Writes the signature, IHDR (8-bit truecolour, no interlace), one text chunk per map entry in the map's
 * iteration order, a single IDAT and IEND. The output is a pure function of the inputs (fixed filter, fixed
 * compression level, no timestamps), so equal inputs give identical bytes on the same Java runtime; another
 * runtime's zlib may compress differently, but the decoded pixels never differ.
 */
public final class PngEncoder {

    /** The 8-byte PNG file signature. */
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /**
     * zlib level 1 (fastest): on generated images it costs a few percent of size against level 6 and takes a
     * fraction of the time, which matters when the whole pipeline's own overhead is budgeted at 2 % of a generation;
     * fixed so the bytes never depend on a library default.
     */
    static final int COMPRESSION_LEVEL = 1;

    /**
     * Every row gets the Paeth filter (type 4): deterministic, and on photographic output it usually compresses
     * close to libpng's per-row heuristic, far better than no filter.
     */
    static final int ROW_FILTER = 4;

    private static final int CHUNK_OVERHEAD = 12; // length + type + CRC
    private static final int MAX_KEYWORD_LENGTH = 79;

    private PngEncoder() {}

    /**
     * Encodes an image.
     *
     * @param image      the pixels
     * @param textChunks keyword -> text, written in iteration order. Keywords must be 1-79 printable Latin-1
     *                   characters without leading, trailing or consecutive spaces (the PNG rule). Text made only of
     *                   Latin-1 characters goes into a tEXt chunk; other text into an uncompressed UTF-8 iTXt chunk.
     *                   Neither may contain NUL.
     * @return the PNG file
     * @throws IllegalArgumentException for a keyword or text that PNG cannot hold, or an image too big for one IDAT
     */
    public static byte[] encode(RgbImage image, Map<String, String> textChunks) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(textChunks, "textChunks");
        List<Chunk> chunks = new ArrayList<>(textChunks.size() + 3);
        chunks.add(new Chunk("IHDR", header(image)));
        textChunks.forEach((keyword, text) -> chunks.add(textChunk(keyword, text)));
        chunks.add(new Chunk("IDAT", deflate(filterRows(image))));
        chunks.add(new Chunk("IEND", new byte[0]));

        long size = SIGNATURE.length;
        for (Chunk chunk : chunks) {
            size += CHUNK_OVERHEAD + chunk.data.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("PNG would be " + size + " bytes, too large for one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size); // big-endian, as PNG wants
        out.put(SIGNATURE);
        CRC32 crc = new CRC32();
        for (Chunk chunk : chunks) {
            byte[] type = chunk.type.getBytes(StandardCharsets.US_ASCII);
            out.putInt(chunk.data.length).put(type).put(chunk.data);
            crc.reset();
            crc.update(type);
            crc.update(chunk.data);
            out.putInt((int) crc.getValue());
        }
        return out.array();
    }

    private record Chunk(String type, byte[] data) {}

    private static byte[] header(RgbImage image) {
        return ByteBuffer.allocate(13)
                .putInt(image.width())
                .putInt(image.height())
                .put((byte) 8) // bit depth
                .put((byte) 2) // colour type: truecolour
                .put((byte) 0) // compression: deflate
                .put((byte) 0) // filter method: adaptive (per-row filter byte)
                .put((byte) 0) // no interlace
                .array();
    }

    private static Chunk textChunk(String keyword, String text) {
        Objects.requireNonNull(text, () -> "text of " + keyword);
        byte[] keywordBytes = keywordBytes(keyword);
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PNG text cannot contain NUL (keyword " + keyword + ")");
        }
        if (isLatin1(text)) {
            byte[] textBytes = text.getBytes(StandardCharsets.ISO_8859_1);
            return new Chunk(
                    "tEXt",
                    ByteBuffer.allocate(keywordBytes.length + 1 + textBytes.length)
                            .put(keywordBytes)
                            .put((byte) 0)
                            .put(textBytes)
                            .array());
        }
        byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
        return new Chunk(
                "iTXt",
                ByteBuffer.allocate(keywordBytes.length + 5 + textBytes.length)
                        .put(keywordBytes)
                        .put(new byte[] {0, 0, 0, 0, 0})
                        .put(textBytes)
                        .array());
    }

    private static byte[] keywordBytes(String keyword) {
        Objects.requireNonNull(keyword, "keyword");
        boolean valid = !keyword.isEmpty()
                && keyword.length() <= MAX_KEYWORD_LENGTH
                && !keyword.startsWith(" ")
                && !keyword.endsWith(" ")
                && !keyword.contains("  ");
        for (int i = 0; valid && i < keyword.length(); i++) {
            char c = keyword.charAt(i);
            valid = c >= 32 && c <= 126 || c >= 161 && c <= 255;
        }
        if (!valid) {
            throw new IllegalArgumentException("not a PNG keyword (1-79 printable Latin-1 characters, "
                    + "no leading, trailing or double spaces): \"" + keyword + "\"");
        }
        return keyword.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean isLatin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** The IDAT payload before compression: per row, the filter type byte then the Paeth-filtered RGB bytes. */
    private static byte[] filterRows(RgbImage image) {
        int rowLength = image.width() * RgbImage.CHANNELS;
        long size = (long) image.height() * (rowLength + 1);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image " + image + " is too large for a single IDAT chunk");
        }
        byte[] pixels = image.pixels();
        byte[] filtered = new byte[(int) size];
        int target = 0;
        for (int y = 0; y < image.height(); y++) {
            int row = y * rowLength;
            int above = row - rowLength; // negative on the first row: the row above counts as zeros
            filtered[target++] = ROW_FILTER;
            for (int i = 0; i < rowLength; i++) {
                int left = i >= RgbImage.CHANNELS ? pixels[row + i - RgbImage.CHANNELS] & 0xFF : 0;
                int up = above >= 0 ? pixels[above + i] & 0xFF : 0;
                int upLeft = above >= 0 && i >= RgbImage.CHANNELS ? pixels[above + i - RgbImage.CHANNELS] & 0xFF : 0;
                filtered[target++] = (byte) (pixels[row + i] - paeth(left, up, upLeft));
            }
        }
        return filtered;
    }

    /** The PNG specification's Paeth predictor, ties resolved in its order: left, up, upper-left. */
    private static int paeth(int left, int up, int upLeft) {
        int estimate = left + up - upLeft;
        int toLeft = Math.abs(estimate - left);
        int toUp = Math.abs(estimate - up);
        int toUpLeft = Math.abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) {
            return left;
        }
        return toUp <= toUpLeft ? up : upLeft;
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(COMPRESSION_LEVEL);
        try {
            deflater.setInput(data);
            deflater.finish();
            // A quarter of the input is a typical size for photographic output; double the buffer when it fills.
            byte[] out = new byte[Math.max(64, data.length / 4)];
            int length = 0;
            while (!deflater.finished()) {
                if (length == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, out.length * 2L));
                }
                length += deflater.deflate(out, length, out.length - length);
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end(); // frees zlib's native memory now instead of at some later GC
        }
    }
}
