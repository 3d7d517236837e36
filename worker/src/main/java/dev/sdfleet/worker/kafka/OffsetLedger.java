package dev.sdfleet.worker.kafka;

import dev.sdfleet.worker.inference.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One partition's offsets between poll and commit. Records finish out of order (micro-batches, failures that skip
 * inference, uploads that retry), but a Kafka commit says "everything before this offset is done", so only the
 * contiguous prefix of finished records may be committed: the committable position is the lowest offset still in
 * flight, or one past the highest polled when nothing is.
 *
 * <p>Used by the consumer loop thread only.
 */
final class OffsetLedger {
    /** Offsets polled and not yet finished, with their job (null for records that never became a job). */
    private final NavigableMap<Long, QueuedJob> inFlight = new TreeMap<>();

    private long highestPolled = -1;
    private long committed = -1;

    /** A record was polled; {@code job} is what it became, or null (a dead letter, a rejected job). */
    void polled(long offset, QueuedJob job) {
        inFlight.put(offset, job);
        highestPolled = Math.max(highestPolled, offset);
    }

    /** A record is finished: its result (or dead letter) is acknowledged. Unknown offsets are ignored. */
    void finished(long offset) {
        inFlight.remove(offset);
    }

    /** The offset to commit now (the next record to read after a restart), if it is past the last commit. */
    OptionalLong committable() {
        if (highestPolled < 0) {
            return OptionalLong.empty();
        }
        long position = inFlight.isEmpty() ? highestPolled + 1 : inFlight.firstKey();
        return position > committed ? OptionalLong.of(position) : OptionalLong.empty();
    }

    /** The broker took a commit of {@code position}. */
    void committed(long position) {
        committed = Math.max(committed, position);
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
