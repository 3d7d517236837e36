package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cancels this worker has seen recently, by request id, so that a job which arrives after its cancel (it was
 * still in Kafka, or it is a redelivery) fails as CANCELLED without running. Bounded: the oldest requests are
 * forgotten first, which only matters for jobs that arrive very late.
 */
public final class CancelRegistry {
    /** Requests remembered; a cancel is a few hundred bytes, so this is a few MB at most. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final Map<String, List<CancelRequest>> byRequest;

    public CancelRegistry() {
        this(DEFAULT_CAPACITY);
    }

    public CancelRegistry(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.byRequest = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<CancelRequest>> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void add(CancelRequest cancel) {
        byRequest.computeIfAbsent(cancel.requestId(), id -> new ArrayList<>(1)).add(cancel);
    }

    /** The cancel that stops {@code job}, or null. */
    public synchronized CancelRequest find(Job job) {
        List<CancelRequest> cancels = byRequest.get(job.requestId());
        if (cancels == null) {
            return null;
        }
        for (CancelRequest cancel : cancels) {
            if (cancel.covers(job)) {
                return cancel;
            }
        }
        return null;
    }
}
