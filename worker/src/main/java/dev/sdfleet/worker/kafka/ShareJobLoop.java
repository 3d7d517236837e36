package dev.sdfleet.worker.kafka;

import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.inference.JobQueue;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.inference.RunRecorder;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from a Kafka share group (KIP-932) instead of a consumer group: the broker hands each record to one member
 * at a time, however many members there are, so a model's workers can outnumber its topics' partitions.
 *
 * <p>The loop takes ONE job, runs it to its acknowledged result, then ACCEPTs the record and takes the next. It does
 * not poll while the job runs: a share consumer cannot pause, so such a poll would acquire jobs it could only RELEASE,
 * and every release counts a delivery (measured with {@code ./sdfleet bench share-groups}: the poll-and-RENEW way lost
 * jobs at the broker's delivery limit and ran some twice). So the group's record lock must outlast the longest job
 * ({@code SDFLEET_SHARE_LOCK_MS}), and there is no micro-batching, no prefetch and no express slot.
 *
 * <p>Priority: one share consumer per lane, polled highest first each time the worker takes a job; after a record that
 * is no job (a dead letter), the same lane first for up to 250 ms, so a poison backlog on a lower lane does not wait
 * for the empty higher lanes' polls before every record.
 *
 * <p>Crash quarantine: the broker counts deliveries. A delivery that never ended in an acknowledgement (the worker
 * died, hung past the lock, or was stopped mid-job) shows in the next one's count, so a record's earlier unfinished
 * deliveries are its crashed runs; the inference thread fails it with {@code WORKER_CRASHED} at the configured limit,
 * before the broker's own delivery limit archives it silently.
 */
public final class ShareJobLoop implements JobIntake {
    private static final Logger LOG = LoggerFactory.getLogger(ShareJobLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a run of records that are no jobs may keep the worker on one lane (see {@link #poisonRun}). */
    private static final Duration LANE_RECHECK = Duration.ofMillis(250);

    /**
     * How the loop is set up.
     *
     * @param workerId names the thread and the log lines
     * @param topics the fleet's topics (dead letters)
     * @param lanes the jobs topics, highest priority first
     * @param groupId the share group
     * @param recordLock the group's record lock to set at start, or null to leave it
     */
    public record Settings(String workerId, Topics topics, List<String> lanes, String groupId, Duration recordLock) {
        public Settings {
            lanes = List.copyOf(lanes);
            if (lanes.isEmpty()) {
                throw new IllegalArgumentException("a worker reads at least one jobs topic");
            }
        }
    }

    /**
     * The job taken and not yet acknowledged, with the lane's consumer that must acknowledge it (by the record itself:
     * acknowledging by topic, partition and offset is only for records that failed to deserialize).
     */
    private record Taken(
            RecordPosition position,
            ConsumerRecord<byte[], byte[]> record,
            KafkaShareConsumer<byte[], byte[]> consumer) {}

    /** A lane handing out records that are no jobs, since {@code since} ({@link System#nanoTime()}). */
    private record PoisonRun(KafkaShareConsumer<byte[], byte[]> lane, long since) {}

    private final Settings settings;
    private final KafkaClients clients;
    private final RecordIntake intake;
    private final Clock clock;
    private final Runnable onFatal;
    private final Thread thread;
    private final LinkedBlockingQueue<RecordPosition> finished = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Loop thread only: one consumer per lane, highest priority first. */
    private final List<KafkaShareConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    /** Written by the loop thread only; read by the in-flight gauge. */
    private volatile Taken taken;
    /**
     * Loop thread only: the lane whose last record was no job (a dead letter, a rejected job), and since when its run
     * of such records goes on; null when the last record was a job. Polling the empty higher lanes first, 100 ms each,
     * held a poison backlog on the low lane to about 4 records/s. Within a run the worker goes back to that lane at
     * once, for at most {@link #LANE_RECHECK}; then, and after a job, it starts from the top lane again. So a job that
     * comes right after poison may be taken up to that long after the higher lanes were last looked at, as the
     * consumer-group loop's lane priority is up to its lane check interval old.
     */
    private PoisonRun poisonRun;

    private volatile LoopState state = LoopState.STARTING;
    private volatile boolean drainRequested;
    private volatile boolean intakeHeld;
    private volatile boolean stopRequested;
    private volatile Throwable failure;

    /**
     * @param onFatal what to do when the loop dies of an error it cannot recover from (stop the worker)
     */
    public ShareJobLoop(
            Settings settings,
            KafkaClients clients,
            JobQueue queue,
            ResultPublisher publisher,
            WorkerMetrics metrics,
            Clock clock,
            Runnable onFatal) {
        this.settings = settings;
        this.clients = clients;
        this.intake =
                new RecordIntake(settings.workerId(), settings.topics(), queue, publisher, metrics, finished::add);
        this.clock = clock;
        this.onFatal = onFatal;
        this.thread = new Thread(this::run, "sdfleet-share-consumer-" + settings.workerId());
    }

    @Override
    public void start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the share consumer loop did not start within " + timeout);
        }
        if (failure != null) {
            throw new IllegalStateException("the share consumer loop failed to start: " + failure, failure);
        }
    }

    @Override
    public LoopState state() {
        return state;
    }

    @Override
    public void finished(RecordPosition position) {
        finished.add(position);
    }

    /** Nothing to record: the broker counts the deliveries itself. */
    @Override
    public RunRecorder runRecorder() {
        return new RunRecorder() {
            @Override
            public void starting(List<QueuedJob> jobs) {}

            @Override
            public void ended(List<QueuedJob> jobs) {}
        };
    }

    @Override
    public int inFlight() {
        return taken == null ? 0 : 1;
    }

    @Override
    public int pausedPartitions() {
        return 0;
    }

    @Override
    public void drain() {
        drainRequested = true;
    }

    @Override
    public void holdIntake(boolean hold) {
        intakeHeld = hold;
    }

    @Override
    public void stop() {
        drainRequested = true;
        stopRequested = true;
    }

    @Override
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop();
        try {
            if (!awaitStopped(CLOSE_TIMEOUT.plus(COMMIT_TIMEOUT))) {
                LOG.warn("The share consumer loop did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            configureGroup();
            for (String lane : settings.lanes()) {
                KafkaShareConsumer<byte[], byte[]> consumer = clients.jobsShareConsumer(lane);
                consumers.add(consumer);
                consumer.subscribe(List.of(lane));
            }
            state = LoopState.RUNNING;
            started.countDown();
            LOG.info("Taking jobs of {} one at a time from share group {}", settings.lanes(), settings.groupId());
            while (!stopRequested) {
                if (drainRequested && state == LoopState.RUNNING) {
                    state = LoopState.DRAINING;
                    LOG.info("Draining: no new jobs");
                }
                if (taken != null) {
                    acknowledgeWhenFinished();
                } else if (state == LoopState.DRAINING || intakeHeld) {
                    Thread.sleep(POLL_TIMEOUT);
                } else {
                    takeOne();
                }
            }
            acknowledgeIfFinished();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.error("The share consumer loop failed; stopping the worker", t);
            onFatal.run();
        } finally {
            // Closing releases a record still taken: it is delivered again (and its count shows this run).
            for (KafkaShareConsumer<byte[], byte[]> consumer : consumers) {
                try {
                    consumer.close(CLOSE_TIMEOUT);
                } catch (RuntimeException e) {
                    LOG.warn("Closing a share consumer failed: {}", e.toString());
                }
            }
            state = LoopState.STOPPED;
            started.countDown();
            stopped.countDown();
        }
    }

    /**
     * New share groups start at the latest offset, which would skip the jobs published before the first worker came;
     * the record lock must outlast a job. Both are the group's settings; a worker not allowed to change them (no
     * ALTER_CONFIGS on the group) logs it and relies on the platform team having set them.
     */
    private void configureGroup() {
        // One at a time: the broker applies a change whole or not at all, and a refused lock must not cost the reset.
        setGroupConfig("share.auto.offset.reset", "earliest");
        if (settings.recordLock() != null) {
            setGroupConfig(
                    "share.record.lock.duration.ms",
                    Long.toString(settings.recordLock().toMillis()));
        }
    }

    private void setGroupConfig(String name, String value) {
        try (Admin admin = clients.admin()) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.GROUP, settings.groupId()),
                            List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET))))
                    .all()
                    .get(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn(
                    "Could not set {}={} on share group {} ({}); the group's own setting applies",
                    name,
                    value,
                    settings.groupId(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    /**
     * Polls the lanes highest first and takes the first record any of them hands out; within a run of records that
     * are no jobs, the lane of the last one first (see {@link #poisonRun}).
     */
    private void takeOne() {
        if (poisonRun != null) {
            if (System.nanoTime() - poisonRun.since() < LANE_RECHECK.toNanos() && takeFrom(poisonRun.lane())) {
                return;
            }
            poisonRun = null;
        }
        for (KafkaShareConsumer<byte[], byte[]> consumer : consumers) {
            if (takeFrom(consumer)) {
                return;
            }
        }
    }

    /** Polls one lane; true if it handed out a record (now {@link #taken}). */
    private boolean takeFrom(KafkaShareConsumer<byte[], byte[]> consumer) {
        boolean[] becameJob = {false};
        for (ConsumerRecord<byte[], byte[]> record : poll(consumer)) {
            // Earlier deliveries that never ended in an acknowledgement: each one's worker died (or hung) in it.
            int crashedRuns = record.deliveryCount().map(count -> count - 1).orElse(0);
            intake.accept(
                    record,
                    crashedRuns,
                    (position, job) -> {
                        taken = new Taken(position, record, consumer);
                        becameJob[0] = job != null;
                    },
                    clock.instant());
        }
        if (taken == null) {
            return false;
        }
        if (becameJob[0]) {
            poisonRun = null;
        } else if (poisonRun == null || poisonRun.lane() != consumer) {
            poisonRun = new PoisonRun(consumer, System.nanoTime());
        }
        return true;
    }

    private Iterable<ConsumerRecord<byte[], byte[]>> poll(KafkaShareConsumer<byte[], byte[]> consumer) {
        try {
            return consumer.poll(POLL_TIMEOUT);
        } catch (WakeupException e) {
            return List.of();
        } catch (AuthenticationException | AuthorizationException e) {
            throw e; // configuration errors: retrying cannot help
        } catch (KafkaException e) {
            LOG.warn("Poll failed, polling again: {}", e.toString());
            return List.of();
        }
    }

    private void acknowledgeWhenFinished() throws InterruptedException {
        RecordPosition done = finished.poll(POLL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (done != null) {
            acknowledge(done);
        }
    }

    private void acknowledgeIfFinished() {
        RecordPosition done;
        while (taken != null && (done = finished.poll()) != null) {
            acknowledge(done);
        }
        if (taken != null) {
            LOG.info("Stopping with {} unfinished: it will be delivered again", taken.position());
        }
    }

    /** ACCEPTs the finished record: it leaves the share group for good. */
    private void acknowledge(RecordPosition done) {
        if (taken == null || !taken.position().equals(done)) {
            return;
        }
        KafkaShareConsumer<byte[], byte[]> consumer = taken.consumer();
        ConsumerRecord<byte[], byte[]> record = taken.record();
        taken = null;
        try {
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            Map<TopicIdPartition, Optional<KafkaException>> outcome = consumer.commitSync(COMMIT_TIMEOUT);
            outcome.values()
                    .forEach(error -> error.ifPresent(e -> LOG.warn(
                            "The broker refused the acknowledgement of {} ({}): its lock ran out, so it may run again",
                            done,
                            e.toString())));
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("Could not acknowledge {} ({}): it may run again", done, e.toString());
        }
    }
}
