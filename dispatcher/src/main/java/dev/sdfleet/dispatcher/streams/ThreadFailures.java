package dev.sdfleet.dispatcher.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What to do when a stream thread dies: replace it (its tasks restart from the last commit), unless threads have
 * died {@value #LIMIT} times within {@link #WINDOW}. Then replacing only loops (each new thread meets the same
 * failure and the partitions stay unserved while the API answers 503), so the client shuts down and liveness
 * reports DOWN: the orchestrator restarts the instance, and another one takes its partitions meanwhile.
 */
final class ThreadFailures {
    static final int LIMIT = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    ThreadFailures(Clock clock) {
        this.clock = clock;
    }

    /** A thread died: the answer for Kafka Streams. */
    synchronized StreamThreadExceptionResponse failed() {
        Instant now = clock.instant();
        recent.addLast(now);
        forgetBefore(now.minus(WINDOW));
        return recent.size() >= LIMIT
                ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT
                : StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Whether threads died {@value #LIMIT} times within the window: the instance is not live. */
    synchronized boolean repeated() {
        forgetBefore(clock.instant().minus(WINDOW));
        return recent.size() >= LIMIT;
    }

    private void forgetBefore(Instant start) {
        while (!recent.isEmpty() && recent.peekFirst().isBefore(start)) {
            recent.removeFirst();
        }
    }
}
