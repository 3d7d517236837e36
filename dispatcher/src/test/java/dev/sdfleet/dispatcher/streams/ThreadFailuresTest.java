package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final ThreadFailures failures = new ThreadFailures(new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    });

    @Test
    void aThreadIsReplacedUntilThreadsKeepDyingThenTheInstanceIsNotLive() {
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed());
        now = now.plus(Duration.ofMinutes(11));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed());
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.failed(), "the first is out of window");
        assertFalse(failures.repeated());
        now = now.plusSeconds(1);
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, failures.failed());
        assertTrue(failures.repeated(), "liveness DOWN");
    }
}
