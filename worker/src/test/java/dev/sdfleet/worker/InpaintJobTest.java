package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.InitImage;
import dev.sdfleet.pipeline.InpaintMask;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.PngEncoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.ImageJudge;
import dev.sdfleet.pipeline.testing.InpaintingUnetFixture;
import dev.sdfleet.pipeline.testing.ShapeRenderer;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.ImageInput;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.Jobs;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Inpainting jobs through a real worker, the embedded Kafka and S3: inline and S3 inputs give the same image, which
 * keeps the unmasked pixels and repaints the hole; unusable inputs fail their own job only, with a reason code.
 */
class InpaintJobTest {
    static final String TENANT = "acme";
    /** The stated tolerance (the pipeline's InpaintingTest): mean kept difference and its 95th percentile. */
    static final double KEPT_MEAN_TOLERANCE = 12;

    static final int KEPT_P95_TOLERANCE = 32;

    static Fleet fleet;
    static RgbImage init;
    static byte[] initPng;
    static byte[] maskPng;

    @BeforeAll
    static void startWorker() {
        fleet = new Fleet("inpaint");
        fleet.start(fleet.config("w-inpaint").build());
        init = ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
        initPng = PngEncoder.encode(init, Map.of());
        maskPng = PngEncoder.encode(hole(), Map.of());
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    /** White (repaint) 32x32 in the middle of 64x64, on the 8-pixel latent grid. */
    static RgbImage hole() {
        byte[] pixels = new byte[64 * 64 * 3];
        for (int y = 16; y < 48; y++) {
            Arrays.fill(pixels, (y * 64 + 16) * 3, (y * 64 + 48) * 3, (byte) 255);
        }
        return new RgbImage(64, 64, pixels);
    }

    static Job job(String requestId, ImageInput initImage, ImageInput mask) {
        GenerationRequest request = GenerationRequest.builder(
                        "a small yellow circle in the middle, purple background", TestJobs.TINY_SD)
                .requestId(requestId)
                .tenant(TENANT)
                .size(64, 64) // a key's image is not read at admission, so the size is given
                .steps(20)
                .seed(1L)
                .initImage(initImage)
                .maskImage(mask)
                .build();
        return Jobs.split(request, 0, Instant.now()).getFirst();
    }

    @Test
    void anInlineInpaintingJobKeepsTheUnmaskedPixelsAndAnS3OneGivesTheSameImage() {
        Job inline = job("req-inline", ImageInput.inline(initPng), ImageInput.inline(maskPng));
        assertEquals(
                64,
                GenerationRequest.builder("p", "m")
                        .initImage(ImageInput.inline(initPng))
                        .build()
                        .width(),
                "an inline image's size is the default");
        assertEquals(GenerationRequest.DEFAULT_STRENGTH, inline.strength());
        fleet.publish(inline);
        JobResult result = fleet.awaitResult(inline.jobId());
        assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
        byte[] png = fleet.object(result.output().key());
        RgbImage out = PngDecoder.decode(png);

        long keptSum = 0;
        long holeSum = 0;
        int[] kept = new int[64 * 64 - 32 * 32];
        int k = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int d = 0;
                for (int c = 0; c < 3; c++) {
                    int i = (y * 64 + x) * 3 + c;
                    d = Math.max(d, Math.abs((out.pixels()[i] & 0xFF) - (init.pixels()[i] & 0xFF)));
                }
                boolean inHole = x >= 16 && x < 48 && y >= 16 && y < 48;
                if (inHole) {
                    holeSum += d;
                } else {
                    keptSum += d;
                    kept[k++] = d;
                }
            }
        }
        Arrays.sort(kept);
        double keptMean = (double) keptSum / kept.length;
        double holeMean = holeSum / (32.0 * 32);
        System.out.printf(
                "inpainting job: kept mean %.2f p95 %d; hole mean %.1f%n",
                keptMean, kept[(int) (kept.length * 0.95)], holeMean);
        assertTrue(keptMean <= KEPT_MEAN_TOLERANCE, "kept mean difference " + keptMean);
        assertTrue(kept[(int) (kept.length * 0.95)] <= KEPT_P95_TOLERANCE, "kept 95th percentile");
        assertTrue(holeMean > 20, "the hole changed: " + holeMean);
        ImageJudge.Verdict whole = ImageJudge.judge(out);
        assertEquals("purple", whole.background(), whole.toString());
        assertEquals("yellow", whole.colour(), whole.toString());

        // The same inputs as objects under the tenant's inputs/ prefix: the worker reads them, same image.
        fleet.s3().putObject(b -> b.bucket(Fleet.BUCKET).key("inputs/acme/start.png"), RequestBody.fromBytes(initPng));
        fleet.s3()
                .putObject(
                        b -> b.bucket(Fleet.BUCKET).key("inputs/acme/masks/hole.png"), RequestBody.fromBytes(maskPng));
        Job fromS3 = job("req-s3", ImageInput.s3("inputs/acme/start.png"), ImageInput.s3("inputs/acme/masks/hole.png"));
        fleet.publish(fromS3);
        JobResult s3Result = fleet.awaitResult(fromS3.jobId());
        assertEquals(JobStatus.SUCCEEDED, s3Result.status(), () -> "error: " + s3Result.error());
        assertArrayEquals(
                out.pixels(),
                PngDecoder.decode(fleet.object(s3Result.output().key())).pixels());
    }

    @Test
    void aWorkerOfAnInpaintingModelRunsItsNineChannelUnet(@TempDir Path dir) throws Exception {
        // The fixture folder is named like the tiny model, so the worker serves the same model id.
        Path model =
                InpaintingUnetFixture.build(dir.resolve(TestJobs.TINY_SD), InpaintingUnetFixture.Weights.random(7));
        Job job = job("req-nine", ImageInput.inline(initPng), ImageInput.inline(maskPng));
        RgbImage expected;
        try (DiffusionPipeline direct = DiffusionPipeline.load(model, RuntimeSettings.cpuOnly())) {
            expected = direct.generate(PipelineRequest.builder(job.prompt())
                            .size(64, 64)
                            .steps(job.steps())
                            .guidance(job.guidance())
                            .seeds(List.of(job.seed()))
                            .initImage(new InitImage(init, job.strength(), InpaintMask.of(hole())))
                            .build())
                    .images()
                    .getFirst()
                    .image();
        }
        try (Fleet nine = new Fleet("inpaint9")) {
            nine.start(nine.config("w-nine").model(model.toString()).build());
            nine.publish(job);
            JobResult result = nine.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertArrayEquals(
                    expected.pixels(),
                    PngDecoder.decode(nine.object(result.output().key())).pixels());
        }
    }

    @Test
    void unusableInputsFailTheirOwnJobWithAReasonCode() {
        // A missing object, a PNG header over garbage, and then an ordinary job: the first two fail for good, the
        // last is unaffected.
        Job missing = job("req-missing", ImageInput.s3("inputs/acme/nothing-here.png"), null);
        byte[] broken = Arrays.copyOf(initPng, 40);
        Job undecodable = job("req-broken", ImageInput.inline(broken), null);
        Job plain = TestJobs.job("req-after", 0, "a red circle on a blue background", 5);
        fleet.publish(missing);
        fleet.publish(undecodable);
        fleet.publish(plain);

        JobResult missed = fleet.awaitResult(missing.jobId());
        assertEquals(JobStatus.FAILED, missed.status());
        assertEquals(FailureReason.INVALID_INPUT_IMAGE, missed.error().reason());
        assertFalse(missed.error().retryable());
        assertTrue(
                missed.error().message().contains("inputs/acme/nothing-here.png"),
                missed.error().message());
        JobResult brokenResult = fleet.awaitResult(undecodable.jobId());
        assertEquals(FailureReason.INVALID_INPUT_IMAGE, brokenResult.error().reason());
        assertTrue(
                brokenResult.error().message().contains("not a decodable PNG"),
                brokenResult.error().message());
        assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(plain.jobId()).status());
    }

    @Test
    void aJobNamingAnotherTenantsObjectIsRefusedUnread() {
        // The object exists and the key is well formed, but the job is tenant acme's: the worker reads nothing.
        fleet.s3()
                .putObject(b -> b.bucket(Fleet.BUCKET).key("inputs/globex/secret.png"), RequestBody.fromBytes(initPng));
        Job foreign = job("req-foreign", ImageInput.s3("inputs/globex/secret.png"), null);
        fleet.publish(foreign);
        JobResult result = fleet.awaitResult(foreign.jobId());
        assertEquals(JobStatus.FAILED, result.status());
        assertEquals(FailureReason.INVALID_INPUT_IMAGE, result.error().reason());
        assertFalse(result.error().retryable());
        assertTrue(
                result.error().message().contains("is not under inputs/acme/"),
                result.error().message());
        assertTrue(fleet.keys("images/req-foreign/").isEmpty(), "no image was made");
    }
}
