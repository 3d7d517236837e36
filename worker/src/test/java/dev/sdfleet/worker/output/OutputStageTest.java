package dev.sdfleet.worker.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.config.RetryPolicy;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.kafka.KafkaClients;
import dev.sdfleet.worker.kafka.ResultPublisher;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The output stage alone, on the real embedded Kafka and S3: each job handed over ends exactly once, as a published
 * result and a finished record position, or (released) as neither; and the pending count goes back to zero either way,
 * so that no job holds its partition's commits or a capacity slot.
 */
class OutputStageTest {
    private static final String WORKER = "w-output";

    private final WorkerMetrics metrics = new WorkerMetrics(WORKER, "tiny-sd");
    private final List<RecordPosition> finished = new CopyOnWriteArrayList<>();
    private final List<Boolean> holds = new CopyOnWriteArrayList<>();
    private final AtomicBoolean fatal = new AtomicBoolean();
    private Fleet fleet;
    private S3Client s3;
    private ResultPublisher publisher;

    @BeforeEach
    void setUp() {
        fleet = new Fleet("output");
        s3 = fleet.s3();
        publisher = new ResultPublisher(
                new KafkaClients(fleet.bootstrap(), fleet.groupId(), WORKER, Map.of()).producer(),
                fleet.topics(),
                WORKER,
                new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)),
                metrics,
                Clock.systemUTC(),
                () -> fatal.set(true));
    }

    @AfterEach
    void tearDown() {
        publisher.close(Duration.ofSeconds(5));
        fleet.close();
        metrics.close();
    }

    private OutputStage stage(ImageStore store) {
        return new OutputStage(
                new OutputStage.Settings(
                        WORKER, new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)), Duration.ofMinutes(1)),
                store,
                publisher,
                metrics,
                Clock.systemUTC(),
                new OutputStage.Links(finished::add, holds::add));
    }

    private static GeneratedImage image(Job job) {
        return new GeneratedImage(
                0, job.prompt(), job.seed(), null, "not really a PNG".getBytes(StandardCharsets.US_ASCII));
    }

    private QueuedJob queued(Job job, long offset) {
        return new QueuedJob(job, new RecordPosition(fleet.topics().jobs(), 0, offset), Instant.now());
    }

    /**
     * The path that used to drop a job: the upload succeeds but the result cannot be built (here a key longer than a
     * result may carry, which the embedded S3 stores and AWS would refuse; before start-up checks, a bucket name
     * outside S3's rules did the same). The stage used to log it and leave the job in flight for good, stalling its
     * partition's commits and keeping its capacity slot; now the job fails as INTERNAL and is finished.
     */
    @Test
    void aResultThatCannotBeBuiltEndsAsAnInternalFailureAndIsFinished() throws Exception {
        String longPrefix = String.join("/", java.util.Collections.nCopies(6, "p".repeat(180)));
        try (OutputStage stage = stage(new ImageStore(s3, Fleet.BUCKET, longPrefix, WORKER))) {
            Job job = TestJobs.job("req-unbuildable", 0, "a grey square", 1);
            QueuedJob queued = queued(job, 7);
            stage.succeeded(queued, image(job), Map.of("denoise", 5L));

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.FAILED, result.status());
            assertEquals(FailureReason.INTERNAL, result.error().reason());
            assertFalse(result.error().retryable());
            assertTrue(result.error().message().contains("key"), result.error().message());
            assertTrue(stage.awaitIdle(Fleet.TIMEOUT), "the job is acknowledged");
            assertEquals(List.of(queued.position()), finished, "the job's offset may be committed");
            assertEquals(0, stage.awaitingUpload());
            assertFalse(fatal.get());
        }
    }

    @Test
    void aStoredImageAndAFailureEachEndWithOneResultAndAReleasedJobWithNone() throws Exception {
        try (OutputStage stage = stage(new ImageStore(s3, Fleet.BUCKET, "images", WORKER))) {
            Job stored = TestJobs.job("req-stored", 0, "a red square", 2);
            Job failed = TestJobs.job("req-failed", 0, "a blue square", 3);
            Job released = TestJobs.job("req-released", 0, "a green square", 4);
            QueuedJob releasedJob = queued(released, 3);
            releasedJob.release();
            stage.succeeded(queued(stored, 1), image(stored), Map.of());
            stage.failed(queued(failed, 2), Failure.of(FailureReason.INFERENCE_ERROR, "out of memory", true), Map.of());
            stage.succeeded(releasedJob, image(released), Map.of());

            assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(stored.jobId()).status());
            assertEquals(
                    FailureReason.INFERENCE_ERROR,
                    fleet.awaitResult(failed.jobId()).error().reason());
            assertTrue(stage.awaitIdle(Fleet.TIMEOUT));
            assertEquals(2, finished.size(), () -> "finished: " + finished);
            assertFalse(finished.contains(releasedJob.position()), "a released job is not committed here");
            assertTrue(
                    fleet.results().all(Duration.ofSeconds(1)).stream()
                            .noneMatch(r -> r.jobId().equals(released.jobId())),
                    "a released job gets no result");
            assertEquals(List.of("images/req-stored/0.png"), fleet.keys("images/req-stored/"));
            assertEquals(List.of(), fleet.keys("images/req-released/"));
            assertEquals(List.of(), holds, "S3 was up: intake was never held");
        }
    }
    /**
     * The pipeline defers the PNG (the inference thread hands over pixels): the output stage encodes it, and what
     * lands in S3 is a valid PNG of exactly those pixels, with the generation's text chunks, and its size and hash
     * in the result; the result's stages gain png_encode before upload.
     */
    @Test
    void aDeferredImageIsEncodedHereAndStoredAsAPngOfItsPixels() throws Exception {
        try (OutputStage stage = stage(new ImageStore(s3, Fleet.BUCKET, "images", WORKER))) {
            Job job = TestJobs.job("req-deferred", 0, "a gradient", 6);
            RgbImage pixels = gradient(48, 32);
            GeneratedImage image =
                    GeneratedImage.unencoded(0, job.prompt(), job.seed(), pixels, Map.of("seed", "6", "prompt", "x"));
            stage.succeeded(queued(job, 1), image, Map.of("denoise", 5L));

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertEquals(
                    List.of("denoise", "png_encode", "upload"),
                    List.copyOf(result.stageMs().keySet()));
            byte[] png = fleet.object(result.output().key());
            assertEquals(pixels, PngDecoder.decode(png), "the stored PNG holds the pipeline's pixels");
            assertEquals("6", PngDecoder.textChunks(png).get("seed"));
            assertEquals(png.length, result.output().sizeBytes());
            assertEquals(ImageStore.sha256(png), result.output().sha256());
            assertTrue(stage.awaitIdle(Fleet.TIMEOUT));
            assertEquals(1, finished.size());
        }
    }

    /** An image whose PNG cannot be encoded ends its job once, as a non-retryable INTERNAL failure, with no object. */
    @Test
    void anImageThatCannotBeEncodedEndsAsAnInternalFailureAndIsFinished() throws Exception {
        try (OutputStage stage = stage(new ImageStore(s3, Fleet.BUCKET, "images", WORKER))) {
            Job job = TestJobs.job("req-unencodable", 0, "a gradient", 7);
            // A NUL in a text chunk: PNG cannot hold it, so the encoder refuses.
            GeneratedImage image = GeneratedImage.unencoded(
                    0, job.prompt(), job.seed(), gradient(8, 8), Map.of("prompt", "bad\0text"));
            QueuedJob queued = queued(job, 4);
            stage.succeeded(queued, image, Map.of("denoise", 5L));

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.FAILED, result.status());
            assertEquals(FailureReason.INTERNAL, result.error().reason());
            assertFalse(result.error().retryable());
            assertTrue(result.error().message().contains("PNG"), result.error().message());
            assertTrue(stage.awaitIdle(Fleet.TIMEOUT), "the job is acknowledged");
            assertEquals(List.of(queued.position()), finished, "the job's offset may be committed");
            assertEquals(List.of(), fleet.keys("images/req-unencodable/"));
            assertEquals(0, stage.awaitingUpload());
            assertFalse(fatal.get());
        }
    }

    private static RgbImage gradient(int width, int height) {
        byte[] bytes = new byte[width * height * RgbImage.CHANNELS];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + i / 97);
        }
        return new RgbImage(width, height, bytes);
    }
}
