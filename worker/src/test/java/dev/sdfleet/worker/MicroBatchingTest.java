package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Micro-batching changes throughput, not images: four compatible jobs run as one batch of four give the same pixels
 * (up to rounding in batched kernels) as the same jobs run one by one.
 */
class MicroBatchingTest {
    private static final List<String> PROMPTS = List.of("a red circle on a blue background",
            "a green square on a white background", "small white triangle at the top, black background",
            "a yellow square on a purple background");

    @Test
    void batchOfFourGivesTheSameImagesAsOneByOne() {
        List<RgbImage> batched = run("batch4", 4);
        List<RgbImage> single = run("batch1", 1);
        for (int i = 0; i < PROMPTS.size(); i++) {
            int diff = maxDifference(batched.get(i), single.get(i));
            assertTrue(diff <= 2, "image " + i + " differs by " + diff + " between batch sizes 4 and 1");
        }
        assertNotEquals(batched.get(0), batched.get(1), "different prompts and seeds give different images");
    }

    /** Publishes the four jobs first, then starts a worker: it finds them all waiting and batches them. */
    private static List<RgbImage> run(String name, int batchSize) {
        try (Fleet fleet = new Fleet(name)) {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < PROMPTS.size(); i++) {
                Job job = TestJobs.job("req-" + name, i, PROMPTS.get(i), 40 + i);
                jobs.add(job);
                fleet.publish(job);
            }
            Worker worker = fleet.start(fleet.config("w-" + name).batchSize(batchSize)
                    .batchWait(Duration.ofSeconds(2)).build());
            List<RgbImage> images = new ArrayList<>();
            for (Job job : jobs) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
                images.add(PngDecoder.decode(fleet.object(result.output().key())));
            }
            DistributionSummary sizes = worker.metrics().registry().get("sdfleet.batch.size").summary();
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
