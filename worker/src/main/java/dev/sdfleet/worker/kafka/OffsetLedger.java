package dev.sdfleet.worker.kafka;

import dev.sdfleet.worker.inference.QueuedJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * One partition's offsets between poll and commit. Records finish out of order (micro-batches, failures that skip
 * inference, uploads that retry), but a Kafka commit says "everything before this offset is done", so only the
 * contiguous prefix of finished records may be committed: the committable position is the lowest offset still in
 * flight, or one past the highest polled when nothing is.
 *
 * <p>It also keeps the crash quarantine's counts ({@link RunMarks}): the runs that previous owners started and never
 * ended (read from the committed metadata at assignment), plus the runs going on here now. Every commit carries them,
 * so if this process dies mid-run, the next owner finds the run counted.
 *
 * <p>Used by the consumer loop thread only.
 */
final class OffsetLedger {
    /** Offsets polled and not yet finished, with their job (null for records that never became a job). */
    private final NavigableMap<Long, QueuedJob> inFlight = new TreeMap<>();
    /** Runs of each record that started (on earlier owners) and never ended: each one killed a worker. */
    private final NavigableMap<Long, Integer> crashedRuns;
    /** Records whose pipeline call runs here now. */
    private final Set<Long> runningHere = new HashSet<>();

    private long highestPolled = -1;
    private long committed = -1;
    /** The counts changed since the last commit. */
    private boolean marksChanged;

    OffsetLedger() {
        this(Map.of());
    }

    /** A ledger for a partition just assigned, with the counts its committed metadata held. */
    OffsetLedger(Map<Long, Integer> crashedRuns) {
        this(crashedRuns, -1);
    }

    /**
     * A ledger for a partition just assigned.
     *
     * @param crashedRuns the counts its committed metadata held
     * @param committed its committed offset, -1 if none
     */
    OffsetLedger(Map<Long, Integer> crashedRuns, long committed) {
        this.crashedRuns = new TreeMap<>(crashedRuns);
        this.committed = committed;
    }

    /** A record was polled; {@code job} is what it became, or null (a dead letter, a rejected job). */
    void polled(long offset, QueuedJob job) {
        inFlight.put(offset, job);
        highestPolled = Math.max(highestPolled, offset);
    }

    /**
     * The consumer's position in the partition: every offset before it was either handed to the loop (and is in this
     * ledger) or never will be: a transaction's commit marker, an aborted record. Those count as finished, so that a
     * caught-up partition commits its end offset and its lag drops to 0 (KEDA scales to zero only then; the jobs
     * topics are written in transactions, so the last offset of a partition is always a marker).
     */
    void readUpTo(long position) {
        highestPolled = Math.max(highestPolled, position - 1);
    }

    /** A record is finished: its result (or dead letter) is acknowledged. Unknown offsets are ignored. */
    void finished(long offset) {
        inFlight.remove(offset);
        runningHere.remove(offset);
        if (crashedRuns.remove(offset) != null) {
            marksChanged = true;
        }
    }

    /** How many earlier runs of the record at {@code offset} killed the worker that ran them. */
    int crashedRuns(long offset) {
        return crashedRuns.getOrDefault(offset, 0);
    }

    /** The record's pipeline call is about to start here: from the next commit on, a crash counts against it. */
    void runStarting(long offset) {
        if (runningHere.add(offset)) {
            marksChanged = true;
        }
    }

    /**
     * The record's call returned (an image, a failure, a cancellation): the process survived it, so its earlier
     * crashes no longer point at it.
     */
    void runEnded(long offset) {
        boolean changed = runningHere.remove(offset);
        changed |= crashedRuns.remove(offset) != null;
        marksChanged |= changed;
    }

    /** Whether a pipeline call runs here now on a record of this partition. */
    boolean runningHere() {
        return !runningHere.isEmpty();
    }

    /** Whether a commit is needed to make the counts durable. */
    boolean marksChanged() {
        return marksChanged;
    }

    /**
     * The offset to commit now (the next record to read after a restart): when it is past the last commit, or when
     * the counts changed and must travel with it.
     */
    OptionalLong committable() {
        if (highestPolled < 0) {
            return OptionalLong.empty();
        }
        long position = inFlight.isEmpty() ? highestPolled + 1 : inFlight.firstKey();
        return position > committed || marksChanged ? OptionalLong.of(position) : OptionalLong.empty();
    }

    /** The counts to commit with {@code position}: runs that crashed plus one for each run going on now. */
    String marks(long position) {
        Map<Long, Integer> counts = new TreeMap<>(crashedRuns.tailMap(position, true));
        for (long offset : runningHere) {
            if (offset >= position) {
                counts.merge(offset, 1, Integer::sum);
            }
        }
        return RunMarks.encode(counts);
    }

    /** The broker took a commit of {@code position} with the counts as they are now. */
    void committed(long position) {
        committed = Math.max(committed, position);
        marksChanged = false;
    }

    /** Records polled and not finished. */
    int inFlightCount() {
        return inFlight.size();
    }

    /** The jobs in flight (queued, running or in output), for release on revocation. */
    List<QueuedJob> jobsInFlight() {
        List<QueuedJob> jobs = new ArrayList<>();
        for (QueuedJob job : inFlight.values()) {
            if (job != null) {
                jobs.add(job);
            }
        }
        return jobs;
    }
}
