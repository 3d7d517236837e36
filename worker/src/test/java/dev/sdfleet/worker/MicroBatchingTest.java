package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Micro-batching changes throughput, not images: four compatible jobs run as one batch of four give byte-identical
 * PNGs to the same jobs run one by one: each image's noise comes from its own seed, and on ONNX Runtime's CPU
 * provider a batch row comes out bit for bit as it does alone (a GPU provider may not promise that).
 */
class MicroBatchingTest {
    private static final List<String> PROMPTS = List.of(
            "a red circle on a blue background",
            "a green square on a white background",
            "small white triangle at the top, black background",
            "a yellow square on a purple background");

    @Test
    void batchOfFourGivesTheSameImagesAsOneByOne() {
        List<byte[]> batched = run("batch4", 4);
        List<byte[]> single = run("batch1", 1);
        for (int i = 0; i < PROMPTS.size(); i++) {
            RgbImage a = PngDecoder.decode(batched.get(i));
            RgbImage b = PngDecoder.decode(single.get(i));
            int diff = maxDifference(a, b);
            assertEquals(0, diff, "image " + i + " differs by up to " + diff + " between batch sizes 4 and 1");
            assertArrayEquals(single.get(i), batched.get(i), "image " + i + ": the PNG files differ");
        }
        assertNotEquals(
                PngDecoder.decode(batched.get(0)),
                PngDecoder.decode(batched.get(1)),
                "different prompts and seeds give different images");
    }

    /** Publishes the four jobs first, then starts a worker: it finds them all waiting and batches them. */
    private static List<byte[]> run(String name, int batchSize) {
        try (Fleet fleet = new Fleet(name)) {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < PROMPTS.size(); i++) {
                Job job = TestJobs.job("req-" + name, i, PROMPTS.get(i), 40 + i);
                jobs.add(job);
                fleet.publish(job);
            }
            Worker worker = fleet.start(fleet.config("w-" + name)
                    .batchSize(batchSize)
                    .batchWait(Duration.ofSeconds(2))
                    .build());
            List<byte[]> images = new ArrayList<>();
            for (Job job : jobs) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
                images.add(fleet.object(result.output().key()));
            }
            DistributionSummary sizes =
                    worker.metrics().registry().get("sdfleet.batch.size").summary();
            assertEquals(batchSize, (int) sizes.max(), "the largest pipeline call had " + sizes.max() + " jobs");
            return images;
        }
    }

    static int maxDifference(RgbImage a, RgbImage b) {
        assertEquals(a.width(), b.width());
        assertEquals(a.height(), b.height());
        byte[] pa = a.pixels();
        byte[] pb = b.pixels();
        int max = 0;
        for (int i = 0; i < pa.length; i++) {
            max = Math.max(max, Math.abs((pa[i] & 0xff) - (pb[i] & 0xff)));
        }
        return max;
    }
}
