package dev.sdfleet.pipeline.runtime;

/** A model component exists but does not have the inputs, outputs or types the pipeline needs. */
public class IncompatibleModelException extends RuntimeException {
    public IncompatibleModelException(String message) {
        super(message);
    }
}
