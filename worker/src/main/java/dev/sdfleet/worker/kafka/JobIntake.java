package dev.sdfleet.worker.kafka;

import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.inference.RunRecorder;
import java.time.Duration;

/**
 * Where a worker's jobs come from: a consumer group ({@link JobConsumerLoop}, the default: partitions, lag for KEDA,
 * crash marks in the commits) or a share group ({@link ShareJobLoop}: more workers than partitions). Either way a job
 * is taken from Kafka for good only after its result (or dead letter) is acknowledged.
 */
public interface JobIntake extends AutoCloseable {
    /** Starts taking jobs and waits (up to {@code timeout}) until subscribed. */
    void start(Duration timeout) throws InterruptedException;

    /** Where the intake is in its life. */
    LoopState state();

    /** A record's result (or dead letter) has been acknowledged: it may leave Kafka for good. Any thread. */
    void finished(RecordPosition position);

    /** The crash quarantine's side, for the inference thread. */
    RunRecorder runRecorder();

    /** Records taken and not finished. */
    int inFlight();

    /** Partitions paused (a share group has none to pause: 0). */
    int pausedPartitions();

    /** Stops taking new jobs; the ones taken finish. */
    void drain();

    /** Holds (true) or lets go of (false) new jobs, while finished images wait for S3. */
    void holdIntake(boolean hold);

    /** Ends the intake: what is finished is acknowledged, the rest is left to another worker. */
    void stop();

    /** Waits for {@link #stop()} to complete; true if it did within {@code timeout}. */
    boolean awaitStopped(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
