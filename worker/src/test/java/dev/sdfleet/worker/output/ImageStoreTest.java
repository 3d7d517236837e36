package dev.sdfleet.worker.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
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
    void outagesAndCredentialTroubleAreTransientAMalformedRequestIsNot() {
        assertTrue(OutputStage.isTransient(SdkClientException.create("connection refused")));
        assertTrue(OutputStage.isTransient(status(503, "SlowDown")));
        assertTrue(OutputStage.isTransient(status(500, "InternalError")));
        assertTrue(OutputStage.isTransient(status(429, "TooManyRequests")));
        // Expired credentials and a skewed clock are cured by rotation and NTP: retried within the window.
        assertTrue(OutputStage.isTransient(status(403, "RequestTimeTooSkewed")));
        assertTrue(OutputStage.isTransient(status(403, "AccessDenied")));
        assertTrue(OutputStage.isTransient(status(400, "ExpiredToken")));
        // A bucket deleted under a running fleet is an outage too: the images wait for it to come back.
        assertTrue(OutputStage.isTransient(status(404, "NoSuchBucket")));
        assertFalse(OutputStage.isTransient(status(400, "InvalidArgument")));
        assertFalse(OutputStage.isTransient(status(400, "KeyTooLongError")));
        assertFalse(OutputStage.isTransient(status(411, "MissingContentLength")));
    }

    private static AwsServiceException status(int code, String errorCode) {
        return S3Exception.builder()
                .statusCode(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).build())
                .message(errorCode)
                .build();
    }
}
