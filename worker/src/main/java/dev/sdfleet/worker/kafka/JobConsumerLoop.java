package dev.sdfleet.worker.kafka;

import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.inference.InferenceRunner;
import dev.sdfleet.worker.inference.JobQueue;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.inference.RunRecorder;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop that owns the jobs consumer, on its own thread. Each turn reads top to bottom:
 * <ol>
 *   <li>take note of the records whose results the broker has acknowledged;</li>
 *   <li>commit, per partition, the contiguous prefix of finished offsets;</li>
 *   <li>pause every assigned partition while the jobs in flight fill the capacity (or while draining), resume
 *   when they fall below it;</li>
 *   <li>poll (always, busy or not: a paused consumer still polls, so a long job never exceeds
 *   {@code max.poll.interval.ms} and never triggers a rebalance);</li>
 *   <li>decode each record: a job goes to the inference queue, a job that breaks the contract gets a FAILED result,
 *   anything else goes to the dead-letter topic. Records that do not become jobs are taken in bursts (polls that do
 *   not wait, up to a few hundred records), so a poison backlog costs one turn per fetch, not one per record.</li>
 * </ol>
 * On revocation the loop commits what is finished in the revoked partitions, then releases their jobs (queued ones
 * are dropped, a running call is stopped): the partitions' new owner will run them.
 *
 * <p><b>Crash quarantine.</b> Before each pipeline call the inference thread waits until the loop has committed, as
 * the metadata of the partitions' offsets ({@link RunMarks}), that the call's records are running. A process that dies
 * in the call (native crash, OOM kill, a hang ended by the liveness probe) leaves that mark behind; the partition's next
 * owner reads it at assignment and runs such a record alone, and once the count reaches the configured limit, fails it
 * with {@code WORKER_CRASHED} instead of running it: one poisonous job kills at most that many workers, not the fleet.
 */
public final class JobConsumerLoop implements JobIntake {
    private static final Logger LOG = LoggerFactory.getLogger(JobConsumerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How often the lanes' backlogs are asked of the broker (one ListOffsets call) while there is room for a job. */
    private static final Duration LANE_CHECK_INTERVAL = Duration.ofMillis(250);
    /**
     * How long a revocation waits for a released call to stop (it stops at its next denoising step). A call that
     * takes longer is counted as a crash by the partition's next owner.
     */
    private static final Duration REVOKE_GRACE = Duration.ofSeconds(5);
    /**
     * The most records one turn takes while none of them becomes a job (see {@link #pollAndAccept}): bounds a turn, so
     * that commits and the lanes' priority are still looked at every few hundred dead letters.
     */
    private static final int BURST_RECORDS = 500;

    private final KafkaClients clients;
    private final Topics topics;
    private final List<String> lanes;
    private final String workerId;
    private final int capacity;
    private final JobQueue queue;
    private final InferenceRunner runner;
    private final RecordIntake intake;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Runnable onFatal;
    private final Thread thread;
    private final ConcurrentLinkedQueue<RecordPosition> finished = new ConcurrentLinkedQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Starts and ends of pipeline calls, from the inference thread, for the crash quarantine. */
    private final ConcurrentLinkedQueue<RunMark> runMarks = new ConcurrentLinkedQueue<>();
    /** Loop thread only. */
    private final Map<TopicPartition, OffsetLedger> ledgers = new HashMap<>();
    /** Loop thread only: started calls whose marks are not committed yet; their thread waits. */
    private final List<RunMark> awaitingCommit = new ArrayList<>();
    /** The crash quarantine's side of the loop, for the inference thread (see {@link #runRecorder()}). */
    private final RunRecorder runRecorder = new RunRecorder() {
        @Override
        public void starting(List<QueuedJob> jobs) throws InterruptedException {
            if (state == LoopState.STOPPED) {
                return;
            }
            RunMark mark = new RunMark(positions(jobs), true);
            runMarks.add(mark);
            wakeLoop();
            if (!mark.durable().await(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Could not record the start of {} in time; it runs uncounted", jobs);
            }
        }

        @Override
        public void ended(List<QueuedJob> jobs) {
            runMarks.add(new RunMark(positions(jobs), false));
        }
    };

    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /** Loop thread only. */
    private LanePriority lanePriority;

    private volatile LoopState state = LoopState.STARTING;
    private volatile boolean drainRequested;
    private volatile boolean intakeHeld;
    private volatile boolean stopRequested;
    private volatile int inFlight;
    private volatile int pausedPartitions;
    private volatile Throwable failure;

    /**
     * How the loop is set up (from the worker's config).
     *
     * @param workerId names the loop's thread and its log lines
     * @param topics the fleet's topics (dead letters)
     * @param lanes the jobs topics to read, highest priority first (the model's lanes)
     * @param capacity the most jobs in flight (polled, not yet finished) before the partitions are paused
     */
    public record Settings(String workerId, Topics topics, List<String> lanes, int capacity) {
        public Settings {
            lanes = List.copyOf(lanes);
            if (lanes.isEmpty()) {
                throw new IllegalArgumentException("a worker reads at least one jobs topic");
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
            }
        }

        /** One jobs topic: no priority lanes. */
        public Settings(String workerId, Topics topics, int capacity) {
            this(workerId, topics, List.of(topics.jobs()), capacity);
        }
    }

    /**
     * What the loop hands records to.
     *
     * @param queue where decoded jobs wait for the inference thread
     * @param runner told to release the jobs of revoked partitions
     * @param publisher answers jobs that break the contract, and dead-letters the rest
     */
    public record Stages(JobQueue queue, InferenceRunner runner, ResultPublisher publisher) {}

    /**
     * @param onFatal what to do when the loop dies of an error it cannot recover from (stop the worker)
     */
    public JobConsumerLoop(
            Settings settings,
            KafkaClients clients,
            Stages stages,
            WorkerMetrics metrics,
            Clock clock,
            Runnable onFatal) {
        this.clients = clients;
        this.topics = settings.topics();
        this.lanes = settings.lanes();
        this.workerId = settings.workerId();
        this.capacity = settings.capacity();
        this.queue = stages.queue();
        this.runner = stages.runner();
        this.intake = new RecordIntake(workerId, topics, queue, stages.publisher(), metrics, this::finished);
        this.metrics = metrics;
        this.clock = clock;
        this.onFatal = onFatal;
        this.thread = new Thread(this::run, "sdfleet-consumer-" + workerId);
    }

    /** Starts the loop and waits (up to {@code timeout}) until it has subscribed. */
    @Override
    public void start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the consumer loop did not start within " + timeout);
        }
        if (failure != null) {
            throw new IllegalStateException("the consumer loop failed to start: " + failure, failure);
        }
    }

    /** Where the loop is in its life. */
    @Override
    public LoopState state() {
        return state;
    }

    /** A record's result (or dead letter) has been acknowledged: its offset may be committed. Any thread. */
    @Override
    public void finished(RecordPosition position) {
        finished.add(position);
        // Commit now, while nothing waits on the loop: left to the next poll's return, this commit would run when the
        // next job arrives, and that job's start mark would queue behind it (3 to 7 ms per job, bench fleet-latency).
        wakeLoop();
    }

    /** Ends the loop's poll (or its next one) early, so that the turn's commit comes now. Any thread. */
    private void wakeLoop() {
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    /**
     * The crash quarantine's side of the loop, for the inference thread: a call's start returns once it is committed
     * (waking the loop's poll so that it does not wait a poll timeout), or after {@code COMMIT_TIMEOUT} when it cannot
     * be.
     */
    @Override
    public RunRecorder runRecorder() {
        return runRecorder;
    }

    private static List<RecordPosition> positions(List<QueuedJob> jobs) {
        return jobs.stream().map(QueuedJob::position).toList();
    }

    /** Records polled and not finished, as of the last turn. */
    @Override
    public int inFlight() {
        return inFlight;
    }

    /** Partitions paused, as of the last turn. */
    @Override
    public int pausedPartitions() {
        return pausedPartitions;
    }

    /** Stops taking jobs: every partition is paused from the next turn on; polling and committing go on. */
    @Override
    public void drain() {
        drainRequested = true;
    }

    /**
     * Holds (true) or lets go of (false) new jobs: while held every partition is paused as when the capacity is full;
     * polling, acknowledging and committing go on. The output stage holds intake while finished images wait for S3.
     */
    @Override
    public void holdIntake(boolean hold) {
        intakeHeld = hold;
    }

    /** Ends the loop: a last commit, then the consumer is closed and leaves the group. */
    @Override
    public void stop() {
        drainRequested = true;
        stopRequested = true;
    }

    /** Waits for {@link #stop()} to complete; true if it did within {@code timeout}. */
    @Override
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            consumer = clients.jobsConsumer();
            lanePriority = new LanePriority(lanes, LANE_CHECK_INTERVAL);
            consumer.subscribe(lanes, new Rebalance());
            state = LoopState.RUNNING;
            started.countDown();
            LOG.info("Consuming {} as {} in group, capacity {}", lanes, workerId, capacity);
            while (!stopRequested) {
                if (drainRequested && state == LoopState.RUNNING) {
                    state = LoopState.DRAINING;
                    LOG.info("Draining: all partitions paused, no new jobs");
                }
                applyFinished();
                applyRunMarks();
                commit(ledgers.keySet());
                signalDurableMarks();
                updatePause();
                pollAndAccept();
                notePositions();
            }
            applyFinished();
            // The worker stopped its inference thread before this, so the calls that ended have said so; a call still
            // running did not stop when released (a hang the liveness probe caught): its mark stays and counts.
            applyRunMarks();
            commit(ledgers.keySet());
        } catch (Throwable t) {
            failure = t;
            LOG.error("The consumer loop failed; stopping the worker", t);
            onFatal.run();
        } finally {
            closeConsumer();
            state = LoopState.STOPPED;
            awaitingCommit.forEach(mark -> mark.durable().countDown());
            runMarks.forEach(mark -> mark.durable().countDown());
            started.countDown();
            stopped.countDown();
        }
    }

    /**
     * Polls, then, for as long as what came back never became a job (dead letters, rejected jobs), polls again for what
     * the fetcher already holds (no wait), up to {@link #BURST_RECORDS} records. Every turn costs a commit and a pause
     * check, so one turn per record held a poison backlog to about 19 records/s (BENCHMARKS.md, "Fault campaign"); a
     * burst sends a whole fetch's dead letters at once, and the next turn commits them together once acknowledged. A
     * job ends the burst, so the capacity, the express slot and the lane priority are weighed again before the next
     * job comes in, exactly as with one record per turn; so does a drain, a hold, a stop or the inference thread's
     * wakeup (a call waiting for its start to be committed).
     */
    private void pollAndAccept() {
        // A call waiting for its start mark must not wait out a poll: its wakeup may have been spent on a call of the
        // turn (commit, position, the lanes' offsets), which would leave the mark uncommitted for a whole timeout.
        // Checked right before the poll: a mark added after this check comes with a wakeup that this poll receives.
        Duration timeout = runMarks.isEmpty() ? POLL_TIMEOUT : Duration.ZERO;
        int taken = 0;
        while (taken < BURST_RECORDS) {
            ConsumerRecords<byte[], byte[]> records = poll(timeout);
            if (records.isEmpty()) {
                return;
            }
            boolean job = false;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                job |= accept(record);
                taken++;
            }
            if (job || drainRequested || intakeHeld || stopRequested || !runMarks.isEmpty()) {
                return;
            }
            timeout = Duration.ZERO;
        }
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (WakeupException e) {
            return ConsumerRecords.empty();
        } catch (AuthenticationException
                | AuthorizationException
                | InvalidGroupIdException
                | UnsupportedVersionException e) {
            throw e; // configuration errors: retrying cannot help
        } catch (KafkaException e) {
            LOG.warn("Poll failed, polling again: {}", e.toString());
            return ConsumerRecords.empty();
        }
    }

    /**
     * Hands one record to the intake (which never throws), with the crash count its partition's marks hold; true if
     * it became a job to run (not a dead letter or a rejected job).
     */
    private boolean accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        OffsetLedger ledger = ledgers.computeIfAbsent(partition, p -> new OffsetLedger());
        boolean[] becameJob = {false};
        intake.accept(
                record,
                ledger.crashedRuns(record.offset()),
                (position, job) -> {
                    ledger.polled(position.offset(), job);
                    becameJob[0] = job != null;
                },
                clock.instant());
        return becameJob[0];
    }

    private void applyFinished() {
        RecordPosition position;
        while ((position = finished.poll()) != null) {
            OffsetLedger ledger = ledgers.get(new TopicPartition(position.topic(), position.partition()));
            if (ledger != null) { // null: the partition was revoked meanwhile, its new owner runs the job again
                ledger.finished(position.offset());
            }
        }
        inFlight =
                ledgers.values().stream().mapToInt(OffsetLedger::inFlightCount).sum();
    }

    /** Takes note of the calls that started and ended since the last turn. */
    private void applyRunMarks() {
        RunMark mark;
        while ((mark = runMarks.poll()) != null) {
            for (RecordPosition position : mark.positions()) {
                OffsetLedger ledger = ledgers.get(new TopicPartition(position.topic(), position.partition()));
                if (ledger == null) {
                    continue; // revoked: the job was released, its new owner counts its own runs
                }
                if (mark.starting()) {
                    ledger.runStarting(position.offset());
                } else {
                    ledger.runEnded(position.offset());
                }
            }
            if (mark.starting()) {
                awaitingCommit.add(mark);
            }
        }
    }

    /** Lets the calls go whose start is now committed (or whose partitions are gone). */
    private void signalDurableMarks() {
        awaitingCommit.removeIf(mark -> {
            for (RecordPosition position : mark.positions()) {
                OffsetLedger ledger = ledgers.get(new TopicPartition(position.topic(), position.partition()));
                if (ledger != null && ledger.marksChanged()) {
                    return false;
                }
            }
            mark.durable().countDown();
            return true;
        });
    }

    /**
     * Tells each ledger how far the consumer has read, so offsets the loop never sees (transaction markers) do not
     * hold the committed offset one short of the end. Positions are known locally once a partition has been fetched
     * from; one that is not (just assigned) is left for a later turn.
     */
    private void notePositions() {
        for (Map.Entry<TopicPartition, OffsetLedger> entry : ledgers.entrySet()) {
            try {
                entry.getValue().readUpTo(consumer.position(entry.getKey(), Duration.ZERO));
            } catch (org.apache.kafka.common.errors.TimeoutException | WakeupException | IllegalStateException e) {
                // no position yet (or a wakeup for the inference thread): the next turn asks again
            }
        }
    }

    /** Commits the contiguous finished prefix of each given partition that has moved since its last commit. */
    private void commit(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetLedger ledger = ledgers.get(partition);
            if (ledger != null) {
                ledger.committable()
                        .ifPresent(position ->
                                offsets.put(partition, new OffsetAndMetadata(position, ledger.marks(position))));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            commitSync(offsets);
            offsets.forEach((partition, offset) -> ledgers.get(partition).committed(offset.offset()));
            LOG.debug("Committed {}", offsets);
        } catch (RebalanceInProgressException | RetriableException e) {
            LOG.info("Commit deferred ({}), trying again next turn", e.toString());
        } catch (CommitFailedException e) {
            LOG.warn("Commit refused (this member's generation is over): {}", e.getMessage());
        }
    }

    /**
     * A commit that a {@link KafkaConsumer#wakeup()} (a finished record or a starting call hurrying the loop along)
     * does not cancel: a woken attempt is made again, up to {@code COMMIT_TIMEOUT} in all. This matters in the
     * rebalance callback, where a lost commit would make the partition's next owner run finished jobs again.
     */
    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long deadline = System.nanoTime() + COMMIT_TIMEOUT.toNanos();
        while (true) {
            try {
                consumer.commitSync(offsets, COMMIT_TIMEOUT);
                return;
            } catch (WakeupException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
            }
        }
    }

    /**
     * The committed offsets of {@code partitions} with their crash marks; empty marks when they cannot be read (a
     * crash from before then is counted from this owner on, not lost for good: the marks are written again on the
     * next start).
     */
    private Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions) {
        for (int attempt = 1; ; attempt++) {
            try {
                return consumer.committed(new HashSet<>(partitions), COMMIT_TIMEOUT);
            } catch (WakeupException e) {
                // consumed; read again
            } catch (KafkaException e) {
                if (attempt >= 3) {
                    LOG.warn("Could not read the committed crash marks of {}: {}", partitions, e.toString());
                    return Map.of();
                }
            }
        }
    }

    /**
     * Pauses every partition while full or draining; otherwise reads the highest-priority lane that has a backlog (and
     * the lanes above it, to hear of new arrivals), pausing the lanes below. A worker full of lower-priority jobs still
     * reads the top lane for one more job (the express slot). Never stops polling.
     */
    private void updatePause() {
        Set<TopicPartition> assigned = consumer.assignment();
        Set<TopicPartition> wanted;
        if (intakeHeld || state == LoopState.DRAINING) {
            wanted = Set.of();
        } else if (inFlight < capacity) {
            wanted = lanePriority.readable(consumer, assigned);
        } else if (lanes.size() > 1 && inFlight == capacity && inFlightOn(lanes.getFirst()) == 0) {
            // Full of lower-priority work: one job of the top lane may still come in, past the capacity, so that
            // it runs next (the queue hands out the most urgent first) instead of after the jobs queued here.
            wanted = new HashSet<>(assigned);
            wanted.removeIf(partition -> !partition.topic().equals(lanes.getFirst()));
        } else {
            wanted = Set.of();
        }
        Set<TopicPartition> toPause = new HashSet<>(assigned);
        toPause.removeAll(wanted);
        toPause.removeAll(consumer.paused());
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
            LOG.debug("Paused {} ({} jobs in flight)", toPause, inFlight);
        }
        Set<TopicPartition> toResume = new HashSet<>(consumer.paused());
        toResume.retainAll(wanted);
        if (!toResume.isEmpty()) {
            LOG.debug("Resuming {} ({} jobs in flight)", toResume, inFlight);
            consumer.resume(toResume);
        }
        pausedPartitions = consumer.paused().size();
    }

    /** Records in flight from the partitions of {@code topic}. */
    private int inFlightOn(String topic) {
        int count = 0;
        for (Map.Entry<TopicPartition, OffsetLedger> entry : ledgers.entrySet()) {
            if (entry.getKey().topic().equals(topic)) {
                count += entry.getValue().inFlightCount();
            }
        }
        return count;
    }

    /**
     * Releases the jobs of partitions this worker is giving up: queued ones leave the queue, a running call is asked
     * to stop, and whatever finishes later is not committed here. The ledgers stay until {@link #release}.
     */
    private void releaseJobs(Collection<TopicPartition> partitions) {
        int released = 0;
        for (TopicPartition partition : partitions) {
            OffsetLedger ledger = ledgers.get(partition);
            if (ledger != null) {
                for (QueuedJob job : ledger.jobsInFlight()) {
                    if (!job.isReleased()) {
                        job.release();
                        released++;
                    }
                }
            }
        }
        if (released > 0) {
            queue.removeIf(QueuedJob::isReleased);
            boolean stopped = runner.release(QueuedJob::isReleased);
            LOG.info("Released {} jobs of {}{}", released, partitions, stopped ? ", stopping the running call" : "");
        }
    }

    /**
     * Waits (at most {@link #REVOKE_GRACE}) for the calls running on {@code partitions} to end after their release,
     * taking note of their ends, so that only a call that would not stop keeps its crash mark.
     */
    private void awaitReleasedCalls(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + REVOKE_GRACE.toNanos();
        while (partitions.stream().map(ledgers::get).anyMatch(l -> l != null && l.runningHere())) {
            if (System.nanoTime() >= deadline) {
                LOG.warn("A call on {} did not stop within {}: its run counts as a crash", partitions, REVOKE_GRACE);
                return;
            }
            // A call whose start waits for its commit cannot end before that commit: let it go (it is released,
            // so it stops at once).
            commit(partitions);
            signalDurableMarks();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            applyFinished();
            applyRunMarks();
        }
    }

    /** Forgets partitions this worker no longer owns, releasing any of their jobs still in flight. */
    private void release(Collection<TopicPartition> partitions) {
        releaseJobs(partitions);
        partitions.forEach(ledgers::remove);
        inFlight =
                ledgers.values().stream().mapToInt(OffsetLedger::inFlightCount).sum();
    }

    private void closeConsumer() {
        if (consumer == null) {
            return;
        }
        try {
            consumer.close(CLOSE_TIMEOUT); // leaves the group: its partitions move now, not after a session timeout
        } catch (RuntimeException e) {
            LOG.warn("Closing the consumer failed: {}", e.toString());
        }
    }

    /** Stops the loop and waits for it, for owners that do not drain first. */
    @Override
    public void close() {
        stop();
        try {
            if (!awaitStopped(CLOSE_TIMEOUT.plus(COMMIT_TIMEOUT))) {
                LOG.warn("The consumer loop did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A call's records, starting (the thread waits on {@code durable}) or ended. */
    private record RunMark(List<RecordPosition> positions, boolean starting, CountDownLatch durable) {
        RunMark(List<RecordPosition> positions, boolean starting) {
            this(positions, starting, new CountDownLatch(1));
        }
    }

    /** Runs inside poll(), on the loop thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Commit what is finished before letting go, or the new owner repeats it. A call that is running on one
            // of these partitions is asked to stop; one that stops within the grace is no crash, so its mark goes.
            // One that does not (a hang, perhaps not yet long enough for the liveness probe) keeps its mark in the
            // commit: otherwise every rebalance would wipe a hung job's count and it could hang worker after worker.
            // When the loop itself is stopping (close() revokes too), the worker has already ended every call it
            // could, so there is nothing to wait for.
            applyFinished();
            applyRunMarks();
            releaseJobs(partitions);
            if (!stopRequested) {
                awaitReleasedCalls(partitions);
            }
            commit(partitions);
            release(partitions);
            LOG.info("Revoked {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Lost (the session expired): another member may own them already, so no commit.
            release(partitions);
            LOG.warn("Lost {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            if (state == LoopState.DRAINING || inFlight >= capacity || intakeHeld) {
                consumer.pause(partitions); // before this poll fetches from them
            }
            Map<TopicPartition, OffsetAndMetadata> committed = committed(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                Map<Long, Integer> crashes = RunMarks.decode(offset == null ? null : offset.metadata());
                if (!crashes.isEmpty()) {
                    LOG.warn("{}: runs that killed a worker, by offset: {}", partition, crashes);
                }
                ledgers.putIfAbsent(partition, new OffsetLedger(crashes, offset == null ? -1 : offset.offset()));
            }
            LOG.info("Assigned {}", partitions);
        }
    }
}
