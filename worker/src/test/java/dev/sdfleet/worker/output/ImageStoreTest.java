package dev.sdfleet.worker.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ImageStoreTest {
    private final Job job = TestJobs.job("req-9", 3, "a red circle", 11);

    @Test
    void keysAreDeterministicPerImage() {
        assertEquals("images/req-9/3.png", new ImageStore(null, "b", "images", "w").keyOf(job));
        assertEquals("req-9/3.png", new ImageStore(null, "b", "", "w").keyOf(job));
    }

    @Test
    void metadataTracesTheObjectToItsJobWithoutThePrompt() {
        Map<String, String> metadata = new ImageStore(null, "b", "images", "w-1").metadataOf(job);
        assertEquals("req-9/3", metadata.get("job-id"));
        assertEquals("11", metadata.get("seed"));
        assertEquals("w-1", metadata.get("worker-id"));
        assertEquals(ImageStore.sha256("a red circle".getBytes(StandardCharsets.UTF_8)), metadata.get("prompt-sha256"));
        assertFalse(metadata.containsValue("a red circle"));
    }

    @Test
    void unreachableOrOverloadedS3IsTransientARefusalIsNot() {
        assertTrue(OutputStage.isTransient(SdkClientException.create("connection refused")));
        assertTrue(OutputStage.isTransient(status(503)));
        assertTrue(OutputStage.isTransient(status(500)));
        assertFalse(OutputStage.isTransient(status(403)));
        assertFalse(OutputStage.isTransient(status(404)));
    }

    private static AwsServiceException status(int code) {
        return S3Exception.builder().statusCode(code).message("status " + code).build();
    }
}
