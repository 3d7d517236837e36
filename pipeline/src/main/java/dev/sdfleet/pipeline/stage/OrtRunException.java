package dev.sdfleet.pipeline.stage;

import ai.onnxruntime.OrtException;

/**
 * An ORT run failed. Keeps ORT's error code so callers can tell a bad input (permanent) from a device fault
 * (retryable) from a terminated run (cancelled).
 */
public class OrtRunException extends RuntimeException {
    private final OrtException.OrtErrorCode code;

    public OrtRunException(String component, OrtException cause) {
        super(component + " failed: " + cause.getMessage(), cause);
        this.code = cause.getCode();
    }

    public OrtException.OrtErrorCode code() {
        return code;
    }
}
