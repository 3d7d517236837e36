package dev.sdfleet.worker.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Jobs waiting for the inference thread, oldest first within the highest priority waiting. The consumer loop adds and (on revocation) removes; the
 * inference thread takes one job or a micro-batch of compatible ones. The queue itself is unbounded: the consumer loop
 * bounds it by pausing its partitions (see {@code JobConsumerLoop}), which keeps the bound and the Kafka side in one
 * place.
 */
public final class JobQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<QueuedJob> jobs = new ArrayDeque<>();
    private boolean closed;

    /** Appends a job polled from Kafka. */
    public void add(QueuedJob job) {
        lock.lock();
        try {
            jobs.addLast(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Puts jobs back at the front, in their order: batch-mates of a cancelled job go first next time. */
    public void putBack(List<QueuedJob> returned) {
        lock.lock();
        try {
            for (int i = returned.size() - 1; i >= 0; i--) {
                jobs.addFirst(returned.get(i));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest job of the highest priority waiting and up to {@code maxSize - 1} compatible ones (same {@link BatchKey}), waiting up to
     * {@code window} after the first for more to arrive when the batch is not full. Blocks until a job is there. A
     * {@linkplain QueuedJob#isSuspect() suspect} job is never batched: it is taken alone, and left out of others'
     * batches.
     *
     * @return the batch, oldest first; empty once the queue is closed
     * @throws InterruptedException when the inference thread is interrupted
     */
    public List<QueuedJob> takeBatch(int maxSize, Duration window) throws InterruptedException {
        lock.lock();
        try {
            while (jobs.isEmpty() && !closed) {
                changed.await();
            }
            if (closed) {
                return List.of();
            }
            List<QueuedJob> batch = new ArrayList<>(maxSize);
            QueuedJob first = takeMostUrgent();
            batch.add(first);
            if (first.isSuspect()) {
                return batch; // a job that was running when a worker died runs alone
            }
            BatchKey key = BatchKey.of(first.job());
            long deadline = System.nanoTime() + window.toNanos();
            while (true) {
                if (closed) {
                    // Closed while the window was open: the worker is draining and must not start a new call.
                    // These jobs were never started, so they stay uncommitted and Kafka delivers them again.
                    return List.of();
                }
                moveCompatible(key, maxSize, batch);
                long left = deadline - System.nanoTime();
                if (batch.size() >= maxSize || left <= 0) {
                    return batch;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The oldest job of the highest priority there is (jobs of several lanes may wait together). */
    private QueuedJob takeMostUrgent() {
        QueuedJob most = jobs.peekFirst();
        for (QueuedJob job : jobs) {
            if (job.job().priority().ordinal() > most.job().priority().ordinal()) {
                most = job;
            }
        }
        jobs.remove(most);
        return most;
    }

    private void moveCompatible(BatchKey key, int maxSize, List<QueuedJob> batch) {
        for (Iterator<QueuedJob> it = jobs.iterator(); it.hasNext() && batch.size() < maxSize; ) {
            QueuedJob candidate = it.next();
            if (!candidate.isSuspect() && BatchKey.of(candidate.job()).equals(key)) {
                it.remove();
                batch.add(candidate);
            }
        }
    }

    /** Removes and returns the matching jobs (those of revoked partitions, or cancelled ones). */
    public List<QueuedJob> removeIf(Predicate<QueuedJob> filter) {
        lock.lock();
        try {
            List<QueuedJob> removed = new ArrayList<>();
            for (Iterator<QueuedJob> it = jobs.iterator(); it.hasNext(); ) {
                QueuedJob job = it.next();
                if (filter.test(job)) {
                    it.remove();
                    removed.add(job);
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue is closed: the worker is shutting down and starts no new pipeline call. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Jobs waiting now. */
    public int size() {
        lock.lock();
        try {
            return jobs.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops handing out jobs: waiting and later {@link #takeBatch} calls return empty. Returns the jobs that were
     * still waiting; they were never started, so they stay uncommitted and Kafka delivers them again.
     */
    public List<QueuedJob> close() {
        lock.lock();
        try {
            closed = true;
            List<QueuedJob> left = new ArrayList<>(jobs);
            jobs.clear();
            changed.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
