package dev.sdfleet.client;

import dev.sdfleet.protocol.Generation;
import java.time.Duration;

/** {@link SdfleetClient#waitFor} ran out of time: the request is still running, as {@link #last()} shows. */
public final class WaitTimeoutException extends RuntimeException {
    private final transient Generation last;

    WaitTimeoutException(Generation last, Duration timeout) {
        super("request " + last.id() + " did not finish within " + timeout + " (still " + last.status() + ")");
        this.last = last;
    }

    /** The request's state at the last look. */
    public Generation last() {
        return last;
    }
}
