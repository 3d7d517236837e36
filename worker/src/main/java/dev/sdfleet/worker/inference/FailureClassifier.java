package dev.sdfleet.worker.inference;

import ai.onnxruntime.OrtException.OrtErrorCode;
import dev.sdfleet.pipeline.InvalidRequestException;
import dev.sdfleet.pipeline.stage.OrtRunException;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import java.util.EnumSet;
import java.util.Set;

/**
 * Turns what went wrong into the protocol's {@link Failure}: the reason code decides what the dispatcher does next,
 * and {@code retryable} says whether running the same job again (elsewhere, later) may succeed.
 */
public final class FailureClassifier {
    /**
     * ORT codes that point at the device or the execution provider rather than at the job: another worker (or this
     * one after a reset) may well succeed.
     */
    private static final Set<OrtErrorCode> DEVICE_FAULTS = EnumSet.of(
            OrtErrorCode.ORT_EP_FAIL,
            OrtErrorCode.ORT_ENGINE_ERROR,
            OrtErrorCode.ORT_DEVICE_RESET,
            OrtErrorCode.ORT_FAIL);

    private FailureClassifier() {}

    /** The failure for an exception thrown by the pipeline (not a cancellation). */
    public static Failure of(RuntimeException e) {
        return switch (e) {
            case InputImageException input
            when input.storageDown() -> Failure.of(FailureReason.STORAGE_UNAVAILABLE, input.getMessage(), true);
            case InputImageException input -> Failure.of(FailureReason.INVALID_INPUT_IMAGE, input.getMessage(), false);
            case InvalidRequestException invalid ->
                Failure.of(FailureReason.INVALID_PARAMETERS, invalid.getMessage(), false);
            case OrtRunException ort
            when ort.code() == OrtErrorCode.ORT_INVALID_ARGUMENT ->
                Failure.of(FailureReason.INVALID_PARAMETERS, ort.getMessage(), false);
            case OrtRunException ort ->
                Failure.of(FailureReason.INFERENCE_ERROR, ort.getMessage(), DEVICE_FAULTS.contains(ort.code()));
            default -> Failure.of(FailureReason.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage(), true);
        };
    }

    /** A job that asks for a model this worker does not serve. */
    public static Failure unknownModel(String asked, String served) {
        return Failure.of(
                FailureReason.UNKNOWN_MODEL,
                "this worker serves model \"" + served + "\", the job asks for \"" + asked + "\"",
                false);
    }

    /** A job whose deadline passed before or while it ran. */
    public static Failure deadlineExceeded(String when) {
        return Failure.of(FailureReason.DEADLINE_EXCEEDED, "the job's deadline passed " + when, false);
    }

    /** A job quarantined after {@code runs} of its runs killed the worker process that ran them. */
    public static Failure workerCrashed(int runs) {
        return Failure.of(
                FailureReason.WORKER_CRASHED,
                "the worker process died during " + runs + (runs == 1 ? " run" : " runs")
                        + " of this job (a crash, an out-of-memory kill or a hang); it is not run again",
                false);
    }

    /** A cancelled job. */
    public static Failure cancelled(CancelRequest cancel) {
        String reason = cancel.reason() == null ? "" : ": " + cancel.reason();
        return Failure.of(FailureReason.CANCELLED, "cancelled at " + cancel.requestedAt() + reason, false);
    }
}
