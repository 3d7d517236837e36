package dev.sdfleet.pipeline;

/** The generation was cancelled through its {@link Cancellation} before it finished. */
public class GenerationCancelledException extends RuntimeException {
    public GenerationCancelledException(String message) {
        super(message);
    }
}
