package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.ImageJudge;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The main path: a job in, the right PNG in S3, a SUCCEEDED result out, and only then the offset committed. */
class JobToImageTest {

    @Test
    void aJobBecomesAStoredImageAndASucceededResult() throws Exception {
        try (Fleet fleet = new Fleet("image")) {
            fleet.start(fleet.config("w-image").build());
            // At the default guidance (7.5) the tiny model draws what its prompt says (models/README.md): judge it.
            Job job = TestJobs.job("req-image", 0, "a red circle on a blue background", 5);
            fleet.publish(job);

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertNull(result.error());
            assertEquals("w-image", result.workerId());
            assertEquals(Fleet.BUCKET, result.output().bucket());
            assertEquals("images/req-image/0.png", result.output().key());
            assertEquals("image/png", result.output().contentType());
            assertTrue(
                    result.output().url().endsWith("/" + Fleet.BUCKET + "/images/req-image/0.png"),
                    result.output().url());
            assertEquals(
                    List.of("text_encoder", "denoise", "vae_decode", "png_encode", "upload"),
                    List.copyOf(result.stageMs().keySet()));
            assertTrue(result.queueWaitMs() >= 0);

            byte[] png = fleet.object(result.output().key());
            assertEquals(result.output().sizeBytes(), png.length);
            assertEquals(
                    result.output().sha256(),
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
            RgbImage image = PngDecoder.decode(png);
            assertEquals(64, image.width());
            assertEquals(64, image.height());
            Map<String, String> text = PngDecoder.textChunks(png);
            assertEquals("5", text.get("seed"));
            assertEquals(job.prompt(), text.get("prompt"));
            // The worker defers the PNG to its output thread: the pixels are still exactly the pipeline's.
            try (DiffusionPipeline direct = DiffusionPipeline.load(TinyModels.sd(), RuntimeSettings.cpuOnly())) {
                RgbImage expected = direct.generate(PipelineRequest.builder(job.prompt())
                                .size(job.width(), job.height())
                                .steps(job.steps())
                                .guidance(job.guidance())
                                .seeds(List.of(job.seed()))
                                .build())
                        .images()
                        .getFirst()
                        .image();
                assertEquals(expected, image, "the stored PNG holds the pipeline's pixels");
            }
            ImageJudge.Verdict verdict = ImageJudge.judge(image);
            assertEquals("blue", verdict.background(), verdict.toString());
            assertEquals("red", verdict.colour(), verdict.toString());

            HeadObjectResponse head = fleet.s3()
                    .headObject(b -> b.bucket(Fleet.BUCKET).key(result.output().key()));
            assertEquals("image/png", head.contentType());
            assertEquals(job.jobId(), head.metadata().get("job-id"));
            assertEquals("5", head.metadata().get("seed"));
            assertEquals("w-image", head.metadata().get("worker-id"));
            assertNotNull(head.metadata().get("prompt-sha256"));

            JobProgress last = fleet.progress()
                    .await(p -> p.jobId().equals(job.jobId()) && p.step() == p.totalSteps(), Fleet.TIMEOUT);
            assertEquals(job.steps(), last.totalSteps());

            // The commit follows the result's acknowledgement; one record on the jobs topic, so one offset in all.
            Fleet.await("the job's offset to be committed", () -> fleet.committedTotal() == 1);
        }
    }
}
