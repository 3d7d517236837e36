package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ThreadFailures failures = new ThreadFailures(clock);

    @Test
    void aThreadIsReplacedUntilThreadsKeepDyingThenTheInstanceIsNotLive() {
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed());
        clock.advance(Duration.ofMinutes(11));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed());
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed(), "the first is out of window");
        assertFalse(failures.repeated());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, failures.failed());
        assertTrue(failures.repeated(), "liveness DOWN");
    }
}
