package dev.sdfleet.worker.kafka;

import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.service.LogContext;
import dev.sdfleet.worker.inference.JobLogContext;
import dev.sdfleet.worker.inference.JobQueue;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one jobs record into a queued job, a FAILED result or a dead letter, whichever way it was delivered (a
 * consumer group's partition or a share group's acquisition). Never throws: whatever goes wrong with one record ends
 * that record (on the dead-letter topic), so the next record is read as usual and a worker taking it over does not
 * die on the same record.
 */
final class RecordIntake {
    private static final Logger LOG = LoggerFactory.getLogger(RecordIntake.class);

    /** What the intake learns of a record: the job it became (null for a record that never becomes one). */
    @FunctionalInterface
    interface Polled {
        void polled(RecordPosition position, QueuedJob job);
    }

    private final String workerId;
    private final Topics topics;
    private final JobQueue queue;
    private final ResultPublisher publisher;
    private final WorkerMetrics metrics;
    private final Consumer<RecordPosition> finished;

    /**
     * @param finished told when a record that never became a job is done (its result or dead letter acknowledged)
     */
    RecordIntake(
            String workerId,
            Topics topics,
            JobQueue queue,
            ResultPublisher publisher,
            WorkerMetrics metrics,
            Consumer<RecordPosition> finished) {
        this.workerId = workerId;
        this.topics = topics;
        this.queue = queue;
        this.publisher = publisher;
        this.metrics = metrics;
        this.finished = finished;
    }

    /**
     * @param crashedRuns how many earlier runs of this record killed the worker that ran them
     * @param polled told what the record became, before the job is queued
     */
    void accept(ConsumerRecord<byte[], byte[]> record, int crashedRuns, Polled polled, Instant now) {
        RecordPosition position = new RecordPosition(record.topic(), record.partition(), record.offset());
        try {
            switch (JobRecords.decode(record, workerId, now)) {
                case JobRecords.Accepted accepted -> queue(accepted, crashedRuns, polled, position, now);
                case JobRecords.Rejected rejected -> reject(rejected, polled, position);
                case JobRecords.DeadLettered dead -> {
                    polled.polled(position, null);
                    LOG.warn(
                            "Record at {} goes to {}: {} {}",
                            position,
                            topics.dlq(),
                            dead.letter().reason(),
                            dead.letter().error());
                    publishDeadLetter(dead.letter(), position);
                }
            }
        } catch (RuntimeException e) {
            deadLetterAfterFailure(record, polled, position, e, now);
        }
    }

    private void queue(
            JobRecords.Accepted accepted, int crashedRuns, Polled polled, RecordPosition position, Instant now) {
        QueuedJob job = new QueuedJob(accepted.job(), position, now, crashedRuns, accepted.trace());
        try (LogContext.Scope logs = JobLogContext.open(job)) {
            if (crashedRuns > 0) {
                LOG.warn(
                        "job_id={} request_id={} at {}: {} earlier run(s) killed the worker; it runs alone",
                        accepted.job().jobId(),
                        accepted.job().requestId(),
                        position,
                        crashedRuns);
                metrics.crashSuspect();
            }
            polled.polled(position, job);
            queue.add(job); // last: once queued, the job is the inference thread's to finish
            LOG.debug(
                    "job_id={} request_id={} queued from {}",
                    accepted.job().jobId(),
                    accepted.job().requestId(),
                    position);
        }
    }

    private void reject(JobRecords.Rejected rejected, Polled polled, RecordPosition position) {
        polled.polled(position, null);
        try (LogContext.Scope logs = LogContext.create()
                .request(rejected.result().requestId())
                .job(rejected.result().jobId())
                .trace(rejected.trace().traceId(), rejected.trace().parentId())
                .open()) {
            LOG.warn(
                    "job_id={} request_id={} at {} rejected: {}",
                    rejected.result().jobId(),
                    rejected.result().requestId(),
                    position,
                    rejected.result().error().message());
        }
        publisher.publish(rejected.result(), rejected.trace(), () -> {
            metrics.jobOutcome(rejected.result().error().reason().name().toLowerCase(Locale.ROOT));
            finished.accept(position);
        });
    }

    private void publishDeadLetter(DeadLetter letter, RecordPosition position) {
        publisher.publish(letter, () -> {
            metrics.jobOutcome(WorkerMetrics.DEAD_LETTERED);
            metrics.deadLettered(position.topic(), letter.reason().name());
            finished.accept(position);
        });
    }

    /**
     * Handling the record failed in a way decoding did not foresee (a bug): it goes to the dead-letter topic as
     * PROCESSING_FAILED. Should even that fail, the record is skipped (logged with its position, counted): a record
     * that cannot be parked must not hold its partition's commits, nor the loop, forever.
     */
    private void deadLetterAfterFailure(
            ConsumerRecord<byte[], byte[]> record,
            Polled polled,
            RecordPosition position,
            RuntimeException cause,
            Instant now) {
        LOG.error("Handling the record at {} failed; it goes to {}", position, topics.dlq(), cause);
        polled.polled(position, null);
        try {
            DeadLetter letter = JobRecords.deadLetter(
                    record, JobRecords.headers(record), cause, DeadLetterReason.PROCESSING_FAILED, workerId, now);
            publishDeadLetter(letter, position);
        } catch (RuntimeException again) {
            LOG.error("Could not dead-letter the record at {} either; skipping it: {}", position, again.toString());
            metrics.recordSkipped(position.topic());
            finished.accept(position);
        }
    }
}
