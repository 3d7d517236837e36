package dev.sdfleet.worker.http;

import dev.sdfleet.service.Health;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the worker is alive, i.e. whether restarting it would help: it is not when a pipeline call has gone longer
 * than the stall timeout without a sign of life (its start, then each denoising step). An ORT call that hangs (a
 * driver fault, a deadlock in a provider) cannot be interrupted from Java; the only cure is a new process, so
 * {@code /health/live} then answers DOWN (503) and Kubernetes restarts the pod. Its jobs are uncommitted and go to
 * another worker. Idle, loading the model or between calls, the worker is alive.
 */
public final class Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

    private final Duration stallTimeout;
    private volatile Supplier<Duration> stepAge = () -> Duration.ZERO;
    private volatile boolean reportedStuck;

    /**
     * @param stallTimeout the longest a pipeline call may go without a step
     */
    public Liveness(Duration stallTimeout) {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stallTimeout must be positive, got " + stallTimeout);
        }
        this.stallTimeout = stallTimeout;
    }

    /** Where the age of the current step comes from (the inference thread), once it exists. */
    public void inference(Supplier<Duration> stepAge) {
        this.stepAge = stepAge;
    }

    /** How long the running pipeline call has gone without a step; zero when none runs. */
    public Duration stepAge() {
        return stepAge.get();
    }

    /** Whether the running call has been without a step for longer than the stall timeout. */
    public boolean isStuck() {
        return stepAge().compareTo(stallTimeout) > 0;
    }

    /** The liveness answer: DOWN while stuck, with the step's age either way. */
    public Health health() {
        Duration age = stepAge();
        boolean stuck = age.compareTo(stallTimeout) > 0;
        if (stuck != reportedStuck) {
            reportedStuck = stuck;
            if (stuck) {
                LOG.error(
                        "The pipeline call has made no step for {} ms (stall timeout {} ms): reporting not alive",
                        age.toMillis(),
                        stallTimeout.toMillis());
            } else {
                LOG.info("The pipeline is making steps again: reporting alive");
            }
        }
        return Health.of(!stuck).with("step_age_ms", age.toMillis()).with("stall_timeout_ms", stallTimeout.toMillis());
    }
}
