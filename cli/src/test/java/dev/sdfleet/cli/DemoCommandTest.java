package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.testing.ImageJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sdfleet demo} end to end on real servers (free ports, data in a temporary folder, so it never meets a
 * running {@code sdfleet up}): the prompt goes through the dispatcher's HTTP API, Kafka and a worker, the PNG through
 * S3 into the out folder. At the protocol's default guidance (7.5), as a user's first run gets it.
 */
class DemoCommandTest {

    @Test
    void demoStoresTheImageInS3AndDownloadsIt(@TempDir Path root) throws Exception {
        Path out = root.resolve("out");
        CliTest.Run r = CliTest.run(
                "demo",
                "--model",
                CliTest.tinyModel(),
                "--root",
                root.toString(),
                "--kafka-port",
                "0",
                "--s3-port",
                "0",
                "--out",
                out.toString(),
                "a red circle on a blue background");
        assertEquals(0, r.exit(), r.out() + r.err());
        Matcher s3 = Pattern.compile("S3: +s3://sdfleet/(images/(k-[0-9a-f]{40})/0\\.png)")
                .matcher(r.out());
        assertTrue(s3.find(), r.out());
        // The local fleet's dispatcher presigns: the CLI downloaded through that URL, with no S3 key.
        Matcher presigned = Pattern.compile("URL: +(http://[^/\\s]+/sdfleet/" + Pattern.quote(s3.group(1))
                        + "\\?\\S*X-Amz-Signature=[0-9a-f]+\\S*)")
                .matcher(r.out());
        assertTrue(presigned.find(), r.out());
        Matcher local = Pattern.compile("Local: (.+\\.png)").matcher(r.out());
        assertTrue(local.find(), r.out());
        Path file = Path.of(local.group(1).trim());
        assertEquals(List.of(file), List.of(out.resolve(s3.group(2) + "-0.png").toAbsolutePath()));
        byte[] png = Files.readAllBytes(file);
        // The object is still in the stack's S3 data folder after the demo stopped it: the same bytes.
        assertTrue(
                java.util.Arrays.equals(
                        png,
                        Files.readAllBytes(root.resolve(".sdfleet/s3/sdfleet").resolve(s3.group(1)))),
                "the download is the stored object");
        RgbImage image = PngDecoder.decode(png);
        ImageJudge.Verdict verdict = ImageJudge.judge(image);
        assertEquals("red", verdict.colour(), verdict.toString());
        assertEquals("blue", verdict.background(), verdict.toString());
    }
}
