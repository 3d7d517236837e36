package dev.sdfleet.worker.kafka;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.ValidationException;
import dev.sdfleet.worker.inference.CancelRegistry;
import dev.sdfleet.worker.inference.InferenceRunner;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the cancels topic, every partition, on its own small thread, outside the workers' group: every worker must
 * see every cancel, since any of them may hold the job. It starts a little in the past ({@code lookback}), so that a
 * cancel published shortly before this worker came up still stops a job it is about to receive again, and it commits
 * nothing.
 *
 * <p>A cancel that does not decode is logged and skipped: it is read by every worker and the dispatcher, so
 * dead-lettering it here would park one copy per reader.
 */
public final class CancelListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CancelListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration RETRY_ASSIGN = Duration.ofSeconds(2);
    /** Start-up failures (no metadata, no offsets, no consumer) are retried from this wait, doubled each time. */
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaClients clients;
    private final String topic;
    private final Duration lookback;
    private final CancelRegistry registry;
    private final InferenceRunner runner;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile boolean reading;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /**
     * Where the listener reads and what it tells.
     *
     * @param topic the cancels topic
     * @param lookback how far back it starts reading
     * @param workerId names its thread
     */
    public record Settings(String topic, Duration lookback, String workerId) {}

    public CancelListener(
            Settings settings,
            KafkaClients clients,
            CancelRegistry registry,
            InferenceRunner runner,
            WorkerMetrics metrics,
            Clock clock) {
        this.clients = clients;
        this.topic = settings.topic();
        this.lookback = settings.lookback();
        this.registry = registry;
        this.runner = runner;
        this.metrics = metrics;
        this.clock = clock;
        this.thread = new Thread(this::run, "sdfleet-cancels-" + settings.workerId());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether cancels reach this worker now: every partition assigned and being read. */
    public boolean isReading() {
        return reading;
    }

    /**
     * Reads until closed. Whatever fails at start-up or later (no consumer, no metadata, no offsets) is logged and
     * tried again with a growing wait, with a new consumer: a worker without its cancel listener would run cancelled
     * jobs to the end, so the listener never gives up while the worker runs; {@link #isReading()} says meanwhile that
     * it is down.
     */
    private void run() {
        Duration backoff = FIRST_BACKOFF;
        try {
            while (!stopRequested) {
                try (KafkaConsumer<byte[], byte[]> cancels = clients.cancelsConsumer()) {
                    consumer = cancels;
                    if (stopRequested || !assignAll(cancels)) {
                        return; // close() came first
                    }
                    reading = true;
                    backoff = FIRST_BACKOFF;
                    while (!stopRequested) {
                        for (ConsumerRecord<byte[], byte[]> record : pollQuietly(cancels)) {
                            handle(record);
                        }
                    }
                } catch (WakeupException e) {
                    // close() woke the consumer up
                } catch (RuntimeException e) {
                    LOG.error("The cancel listener failed; starting it again in {} ms", backoff.toMillis(), e);
                } finally {
                    reading = false;
                    consumer = null;
                }
                if (!stopRequested) {
                    sleep(backoff);
                    backoff =
                            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Assigns every partition of the topic, once it exists, starting {@code lookback} ago. */
    private boolean assignAll(KafkaConsumer<byte[], byte[]> cancels) {
        while (!stopRequested) {
            List<PartitionInfo> infos;
            try {
                infos = cancels.partitionsFor(topic);
            } catch (KafkaException e) {
                if (e instanceof WakeupException wakeup) {
                    throw wakeup;
                }
                infos = List.of();
                LOG.warn("No metadata for {} yet, trying again: {}", topic, e.toString());
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = infos.stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
                cancels.assign(partitions);
                seekToLookback(cancels, partitions);
                LOG.info("Reading cancels from {} partitions of {}", partitions.size(), topic);
                return true;
            }
            sleep(RETRY_ASSIGN);
        }
        return false;
    }

    private void seekToLookback(KafkaConsumer<byte[], byte[]> cancels, List<TopicPartition> partitions) {
        long since = clock.instant().minus(lookback).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> found = cancels.offsetsForTimes(query);
        List<TopicPartition> noneSince =
                partitions.stream().filter(p -> found.get(p) == null).toList();
        cancels.seekToEnd(noneSince);
        found.forEach((partition, offset) -> {
            if (offset != null) {
                cancels.seek(partition, offset.offset());
            }
        });
        // Resolve the lazy seekToEnd now, so "the end" means the end at start-up, not at the first poll.
        partitions.forEach(cancels::position);
    }

    private Iterable<ConsumerRecord<byte[], byte[]>> pollQuietly(KafkaConsumer<byte[], byte[]> cancels) {
        try {
            return cancels.poll(POLL_TIMEOUT);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Polling cancels failed, polling again: {}", e.toString());
            sleep(RETRY_ASSIGN);
            return List.of();
        }
    }

    /**
     * Registers one cancel. Never throws: a record that does not decode (any bytes, null value, wrong types, another
     * schema version) is logged, counted and skipped, and so is one whose handling fails, so that no cancel can stop
     * this thread and with it every later cancel.
     */
    private void handle(ConsumerRecord<byte[], byte[]> record) {
        try {
            CancelRequest cancel = Codec.decode(record.value(), CancelRequest.class);
            LOG.info(
                    "request_id={} job_id={} cancel received",
                    cancel.requestId(),
                    cancel.jobId() == null ? "*" : cancel.jobId());
            registry.add(cancel);
            runner.cancel(cancel);
        } catch (RuntimeException e) {
            DeadLetterReason reason =
                    e instanceof ValidationException ? DeadLetterReason.of(e) : DeadLetterReason.PROCESSING_FAILED;
            LOG.warn(
                    "Skipping the cancel at {}-{}@{} ({}): {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    reason,
                    e.toString());
            metrics.cancelSkipped(record.topic(), reason.name());
        }
    }

    /** Waits, or less when {@link #close()} comes meanwhile. */
    private void sleep(Duration duration) {
        try {
            closing.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
        }
    }

    /** Stops reading and closes the consumer; waits a few seconds at most. */
    @Override
    public void close() {
        stopRequested = true;
        closing.countDown();
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("The cancel listener did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
