package dev.sdfleet.pipeline.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/** Test-side PNG chunk walker and builder, written independently of the encoder under test. */
final class PngChunks {

    /** One chunk as stored, with the CRC found in the file and the one computed over type and data. */
    record Chunk(String type, byte[] data, int storedCrc, int computedCrc) {}

    private PngChunks() {}

    /** All chunks after the signature, up to the end of the bytes. */
    static List<Chunk> read(byte[] png) {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(8);
        List<Chunk> chunks = new ArrayList<>();
        while (in.hasRemaining()) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            byte[] data = new byte[length];
            in.get(data);
            chunks.add(new Chunk(new String(type, StandardCharsets.US_ASCII), data, in.getInt(), crc(type, data)));
        }
        return chunks;
    }

    /** A chunk with a correct CRC, as file bytes. */
    static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(typeBytes)
                .put(data)
                .putInt(crc(typeBytes, data))
                .array();
    }

    /** The file with {@code extra} inserted just before the IDAT chunk. */
    static byte[] insertBeforeImageData(byte[] png, byte[] extra) {
        int position = 8;
        for (Chunk chunk : read(png)) {
            if (chunk.type().equals("IDAT")) {
                break;
            }
            position += 12 + chunk.data().length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, position);
        out.writeBytes(extra);
        out.write(png, position, png.length - position);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static int crc(byte[] type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data);
        return (int) crc.getValue();
    }
}
