package dev.sdfleet.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Cooperative cancellation of one generation. {@link #cancel()} may be called from any thread: the loop checks the
 * flag between steps, and an ORT run in flight is told to terminate so that a long step does not delay the stop.
 */
public final class Cancellation {
    private volatile boolean cancelled;
    private volatile OrtSession.RunOptions running;

    /** A token that is never cancelled. */
    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled = true;
        OrtSession.RunOptions options = running;
        if (options != null) {
            try {
                options.setTerminate(true);
            } catch (OrtException | IllegalStateException e) {
                // The run has finished and its options are closed: the flag alone stops the loop.
            }
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    void attach(OrtSession.RunOptions options) {
        running = options;
        if (cancelled) {
            cancel();
        }
    }

    void detach() {
        running = null;
    }

    void throwIfCancelled() {
        if (cancelled) {
            throw new GenerationCancelledException("generation cancelled");
        }
    }
}
