package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.PngEncoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.testing.ShapeRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate} and {@code submit} with {@code --init-image}, {@code --mask} and {@code --strength}: the same
 * inpainting on the local pipeline and through a local fleet, the output the init image's size, the kept pixels
 * within the stated tolerance (mean largest-channel difference at most 12).
 */
class InpaintCommandsTest {
    static final double KEPT_MEAN_TOLERANCE = 12;

    static RgbImage init() {
        return ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
    }

    static Path writeInputs(Path dir) throws Exception {
        byte[] mask = new byte[64 * 64 * 3];
        for (int y = 16; y < 48; y++) {
            Arrays.fill(mask, (y * 64 + 16) * 3, (y * 64 + 48) * 3, (byte) 255);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("init.png"), PngEncoder.encode(init(), Map.of()));
        Files.write(dir.resolve("mask.png"), PngEncoder.encode(new RgbImage(64, 64, mask), Map.of()));
        return dir;
    }

    static double keptMean(RgbImage out) {
        RgbImage init = init();
        double sum = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (x >= 16 && x < 48 && y >= 16 && y < 48) {
                    continue;
                }
                int d = 0;
                for (int c = 0; c < 3; c++) {
                    int i = (y * 64 + x) * 3 + c;
                    d = Math.max(d, Math.abs((out.pixels()[i] & 0xFF) - (init.pixels()[i] & 0xFF)));
                }
                sum += d;
            }
        }
        return sum / (64 * 64 - 32 * 32);
    }

    @Test
    void generateInpaintsLocally(@TempDir Path dir) throws Exception {
        Path inputs = writeInputs(dir.resolve("in"));
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.run(
                "generate",
                "--model",
                CliTest.tinyModel(),
                "--init-image",
                inputs.resolve("init.png").toString(),
                "--mask",
                inputs.resolve("mask.png").toString(),
                "--strength",
                "0.8",
                "--seed",
                "1",
                "--out",
                out.toString(),
                "a small yellow circle in the middle, purple background");
        assertEquals(0, r.exit(), r.out() + r.err());
        RgbImage image = PngDecoder.decode(Files.readAllBytes(Path.of(r.out().trim())));
        assertEquals(64, image.width());
        double kept = keptMean(image);
        assertTrue(kept <= KEPT_MEAN_TOLERANCE, "kept mean " + kept);

        CliTest.Run noInit = CliTest.run(
                "generate",
                "--model",
                CliTest.tinyModel(),
                "--mask",
                inputs.resolve("mask.png").toString(),
                "--out",
                out.toString(),
                "a red circle");
        assertTrue(noInit.exit() != 0, noInit.out() + noInit.err());
        assertTrue(noInit.err().contains("--mask needs --init-image"), noInit.err());
    }

    @Test
    void submitSendsTheImagesInline(@TempDir Path root) throws Exception {
        Path inputs = writeInputs(root.resolve("in"));
        Path out = root.resolve("out");
        LocalFleet.Settings settings = new LocalFleet.Settings(root, 0, 0, 1, 0, 0, Path.of(CliTest.tinyModel()), 1, 1);
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            CliTest.Run r = CliTest.run(
                    "submit",
                    "--url",
                    fleet.dispatcher().baseUrl(),
                    "--api-key",
                    fleet.apiKey(),
                    "--init-image",
                    inputs.resolve("init.png").toString(),
                    "--mask",
                    inputs.resolve("mask.png").toString(),
                    "--strength",
                    "0.8",
                    "--seed",
                    "1",
                    "--steps",
                    "20",
                    "--out",
                    out.toString(),
                    "a small yellow circle in the middle, purple background");
            assertEquals(0, r.exit(), r.out() + r.err());
            Matcher saved = Pattern.compile("1 image\\(s\\) saved").matcher(r.out());
            assertTrue(saved.find(), r.out());
            Path png;
            try (Stream<Path> files = Files.list(out)) {
                png = files.filter(p -> p.toString().endsWith(".png"))
                        .findFirst()
                        .orElseThrow();
            }
            RgbImage image = PngDecoder.decode(Files.readAllBytes(png));
            assertEquals(64, image.width());
            double kept = keptMean(image);
            assertTrue(kept <= KEPT_MEAN_TOLERANCE, "kept mean " + kept);
        }
    }
}
