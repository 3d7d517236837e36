package dev.sdfleet.worker.kafka;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.worker.config.RetryPolicy;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the worker's messages on Kafka: results and dead letters reliably (acks=all, idempotent, retried until the
 * broker acknowledges them), progress events on a best-effort basis.
 *
 * <p>Every send happens on one publisher thread, so that nobody else ever blocks in {@code send()} (which waits up
 * to {@code max.block.ms} for metadata while the broker is down): not the inference thread, not the consumer loop.
 *
 * <p>A result that cannot be delivered because the broker is unavailable is retried with exponential backoff (capped
 * at the retry policy's longest wait) for as long as the worker runs: its offset is committed only after the
 * acknowledgement, so until then the job is simply "not finished", and a worker that dies meanwhile leaves it to be
 * delivered again. A record the broker will never take (too large) is given up on: it is logged and counted as done,
 * because retrying it forever would stop its partition's commits forever. Any other permanent error means the
 * producer itself is broken (fenced, out of sequence): the worker is stopped, its jobs stay uncommitted, and another
 * worker takes them over.
 */
public final class ResultPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultPublisher.class);
    /** Progress events waiting for the publisher thread beyond this are dropped (they are only for progress bars). */
    private static final int MAX_PENDING_PROGRESS = 1_000;

    private final Producer<byte[], byte[]> producer;
    private final Topics topics;
    private final String source;
    private final RetryPolicy retry;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService sender;
    private final AtomicInteger pendingProgress = new AtomicInteger();
    private final Runnable onFatal;
    private volatile boolean closed;

    /**
     * @param onFatal what to do when the producer fails for good (stop the worker); may run more than once
     */
    public ResultPublisher(
            Producer<byte[], byte[]> producer,
            Topics topics,
            String workerId,
            RetryPolicy retry,
            WorkerMetrics metrics,
            Clock clock,
            Runnable onFatal) {
        this.onFatal = onFatal;
        this.producer = producer;
        this.topics = topics;
        this.source = "/sdfleet/worker/" + workerId;
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sdfleet-publisher-" + workerId));
    }

    /**
     * Publishes a result or a dead letter; {@code onDone} runs (on a producer thread: keep it short) once the broker
     * has acknowledged it, or once it has failed permanently. It never runs for a message still unsent at close.
     */
    public void publish(ProtocolMessage message, Runnable onDone) {
        publish(message, null, onDone);
    }

    /** As {@link #publish(ProtocolMessage, Runnable)}, carrying {@code trace} (nullable) as its traceparent header. */
    public void publish(ProtocolMessage message, TraceParent trace, Runnable onDone) {
        ProducerRecord<byte[], byte[]> record = toRecord(message, trace);
        submit(() -> send(record, 0, onDone), 0);
    }

    /**
     * Publishes a progress event if the publisher is not backed up; never retried. {@code trace} (nullable) is its
     * traceparent header.
     */
    public void publishProgress(JobProgress progress, TraceParent trace) {
        if (closed || pendingProgress.incrementAndGet() > MAX_PENDING_PROGRESS) {
            pendingProgress.decrementAndGet();
            return;
        }
        ProducerRecord<byte[], byte[]> record = toRecord(progress, trace);
        submit(
                () -> {
                    pendingProgress.decrementAndGet();
                    try {
                        producer.send(record, (metadata, e) -> {
                            if (e != null) {
                                LOG.debug("Progress event lost: {}", e.toString());
                            }
                        });
                    } catch (KafkaException | IllegalStateException e) {
                        LOG.debug("Progress event lost: {}", e.toString());
                    }
                },
                0);
    }

    private void send(ProducerRecord<byte[], byte[]> record, int retries, Runnable onDone) {
        if (closed) {
            LOG.warn("Not sent before close, stays uncommitted: {} {}", record.topic(), subject(record));
            return;
        }
        try {
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    onDone.run();
                } else {
                    failed(record, retries, e, onDone);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            failed(record, retries, e, onDone);
        }
    }

    private void failed(ProducerRecord<byte[], byte[]> record, int retries, Exception e, Runnable onDone) {
        if (closed) {
            LOG.warn(
                    "Send failed at close, stays uncommitted: {} {}: {}",
                    record.topic(),
                    subject(record),
                    e.toString());
        } else if (e instanceof RetriableException) {
            int next = retries + 1;
            Duration wait = retry.backoff(Math.min(next, 30));
            metrics.publishRetried();
            LOG.warn(
                    "Send of {} {} failed ({}), retry {} in {} ms",
                    record.topic(),
                    subject(record),
                    e.toString(),
                    next,
                    wait.toMillis());
            submit(() -> send(record, next, onDone), wait.toMillis());
        } else if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            LOG.error(
                    "Giving up on {} {}: the broker will never take it ({})",
                    record.topic(),
                    subject(record),
                    e.toString());
            onDone.run();
        } else {
            LOG.error(
                    "The producer failed for good on {} {} ({}); stopping the worker",
                    record.topic(),
                    subject(record),
                    e.toString());
            onFatal.run();
        }
    }

    private void submit(Runnable task, long delayMillis) {
        try {
            sender.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Publisher closed, dropping a send");
        }
    }

    private ProducerRecord<byte[], byte[]> toRecord(ProtocolMessage message, TraceParent trace) {
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, byte[]> header : CloudEventHeaders.forMessage(message, source, clock.instant())
                .toMap()
                .entrySet()) {
            headers.add(header.getKey(), header.getValue());
        }
        if (trace != null) {
            headers.add(TraceParent.HEADER, trace.headerBytes());
        }
        return new ProducerRecord<>(
                MessageType.of(message).topic(topics), null, RecordKeys.keyOf(message), Codec.encode(message), headers);
    }

    private static String subject(ProducerRecord<byte[], byte[]> record) {
        var header = record.headers().lastHeader(CloudEventHeaders.SUBJECT);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Stops sending: messages not yet acknowledged stay unacknowledged (their jobs uncommitted), then the producer
     * flushes what it holds and closes within {@code timeout}.
     */
    public void close(Duration timeout) {
        closed = true;
        sender.shutdownNow();
        try {
            sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
