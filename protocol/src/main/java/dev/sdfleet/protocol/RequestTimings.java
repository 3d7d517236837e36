package dev.sdfleet.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Duration;
import java.time.Instant;

/**
 * When a request was accepted and when it finished.
 *
 * @param acceptedAt when the dispatcher accepted the request
 * @param finishedAt when its last image finished (or it was cancelled); not before {@code acceptedAt}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RequestTimings(Instant acceptedAt, Instant finishedAt) {

    public RequestTimings {
        Checks checks = new Checks();
        checks.instant("accepted_at", acceptedAt);
        checks.instant("finished_at", finishedAt);
        if (acceptedAt != null && finishedAt != null) {
            checks.check(!finishedAt.isBefore(acceptedAt), "finished_at", "must not be before accepted_at");
        }
        checks.throwIfAny();
    }

    /** From acceptance to the end. */
    public Duration total() {
        return Duration.between(acceptedAt, finishedAt);
    }
}
