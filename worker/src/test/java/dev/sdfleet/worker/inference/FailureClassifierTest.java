package dev.sdfleet.worker.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import dev.sdfleet.pipeline.InvalidRequestException;
import dev.sdfleet.pipeline.stage.OrtRunException;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every pipeline stage reports an ORT failure as an {@link OrtRunException}, so a failure is classified by ORT's error
 * code alone: the same for the text encoders, the UNet and the VAE.
 */
class FailureClassifierTest {
    /** The component names the stages report (those of their sessions). */
    private static final List<String> STAGES =
            List.of("text_encoder", "text_encoder_2", "unet", "vae_decoder", "vae_encoder");

    private static Failure ortFailure(String stage, OrtErrorCode code) {
        return FailureClassifier.of(new OrtRunException(stage, new OrtException(code, "boom")));
    }

    @ParameterizedTest
    @EnumSource(OrtErrorCode.class)
    void anOrtFailureIsClassifiedTheSameInEveryStage(OrtErrorCode code) {
        Failure unet = ortFailure("unet", code);
        for (String stage : STAGES) {
            Failure failure = ortFailure(stage, code);
            assertEquals(unet.reason(), failure.reason(), stage + " " + code);
            assertEquals(unet.retryable(), failure.retryable(), stage + " " + code);
            assertTrue(failure.message().startsWith(stage + " failed"), failure.message());
        }
        assertTrue(
                unet.reason() == FailureReason.INVALID_PARAMETERS || unet.reason() == FailureReason.INFERENCE_ERROR,
                "an ORT failure is never INTERNAL: " + unet.reason());
    }

    @Test
    void aBadInputIsPermanentAndADeviceFaultIsRetryable() {
        Failure invalid = ortFailure("text_encoder", OrtErrorCode.ORT_INVALID_ARGUMENT);
        assertEquals(FailureReason.INVALID_PARAMETERS, invalid.reason());
        assertFalse(invalid.retryable());

        Failure device = ortFailure("text_encoder", OrtErrorCode.ORT_EP_FAIL);
        assertEquals(FailureReason.INFERENCE_ERROR, device.reason());
        assertTrue(device.retryable());

        Failure runtime = ortFailure("vae_decoder", OrtErrorCode.ORT_RUNTIME_EXCEPTION);
        assertEquals(FailureReason.INFERENCE_ERROR, runtime.reason());
        assertFalse(runtime.retryable());
    }

    @Test
    void anInvalidRequestIsPermanentAndAnythingElseIsInternal() {
        Failure invalid = FailureClassifier.of(new InvalidRequestException("steps", "must be 1..1000, got 0"));
        assertEquals(FailureReason.INVALID_PARAMETERS, invalid.reason());
        assertFalse(invalid.retryable());

        Failure internal = FailureClassifier.of(new IllegalStateException("a bug"));
        assertEquals(FailureReason.INTERNAL, internal.reason());
        assertTrue(internal.retryable());
    }
}
