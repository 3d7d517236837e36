package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.metrics.QueuedWork;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Priority;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.ToDoubleFunction;

/**
 * Jobs waiting for a GPU, per priority, and the GPU-seconds they add up to: the autoscaling signal; and per tenant,
 * its images released to the workers and those the dispatcher holds back under the tenant's cap. Each stream task
 * keeps the tally of its own partition (rebuilt from its store when the task starts, so it follows the partition
 * when it moves); the gauges add up the tasks of this instance. Prometheus sums the instances.
 *
 * <p>Only released jobs count as queued work: held ones cannot reach a GPU before the tenant's released ones end, so
 * more workers would not take them sooner.
 */
public final class QueueTally implements QueuedWork {
    private final Map<String, TaskTally> tasks = new ConcurrentHashMap<>();
    private final double pixelStepsPerGpuSecond;
    private final ToDoubleFunction<String> costOfModel;

    /** Every model costs what SD 1.5 does per pixel-step. */
    public QueueTally(double pixelStepsPerGpuSecond) {
        this(pixelStepsPerGpuSecond, model -> 1.0);
    }

    /**
     * @param pixelStepsPerGpuSecond what one GPU does per second on SD 1.5 (width x height x steps)
     * @param costOfModel a model's cost per pixel-step relative to SD 1.5 (the models file's {@code cost})
     */
    public QueueTally(double pixelStepsPerGpuSecond, ToDoubleFunction<String> costOfModel) {
        this.pixelStepsPerGpuSecond = pixelStepsPerGpuSecond;
        this.costOfModel = costOfModel;
    }

    TaskTally open(String taskId) {
        TaskTally tally = new TaskTally();
        tasks.put(taskId, tally);
        return tally;
    }

    void close(String taskId) {
        tasks.remove(taskId);
    }

    @Override
    public long queued(Priority priority) {
        return tasks.values().stream()
                .mapToLong(t -> t.jobs[priority.ordinal()].get())
                .sum();
    }

    @Override
    public double queuedGpuSeconds() {
        return tasks.values().stream().mapToDouble(t -> t.gpuSeconds.sum()).sum();
    }

    @Override
    public long released(String tenant) {
        return tasks.values().stream().mapToLong(t -> t.released(tenant)).sum();
    }

    @Override
    public long held(String tenant) {
        return tasks.values().stream().mapToLong(t -> t.held(tenant)).sum();
    }

    @Override
    public Instant oldestUnfinished() {
        Instant oldest = null;
        for (TaskTally task : tasks.values()) {
            Map.Entry<String, Instant> first = task.unfinished.firstEntry();
            if (first != null && (oldest == null || first.getValue().isBefore(oldest))) {
                oldest = first.getValue();
            }
        }
        return oldest;
    }

    /** One task's share; written by that task's stream thread only, read by the metrics scrape. */
    final class TaskTally {
        private final AtomicLong[] jobs = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        private final DoubleAdder gpuSeconds = new DoubleAdder();
        /** Unfinished requests by {@code <accepted ms, 15 digits> <id>}: the first is the oldest. */
        private final ConcurrentSkipListMap<String, Instant> unfinished = new ConcurrentSkipListMap<>();
        /** Per tenant: images published and not ended (what its cap bounds); a tenant at 0 has no entry. */
        private final Map<String, Long> released = new ConcurrentHashMap<>();
        /** Per tenant: images accepted and held back under its cap; a tenant at 0 has no entry. */
        private final Map<String, Long> held = new ConcurrentHashMap<>();

        /** A request is unfinished (accepted, or found in the store at the task's start). */
        void started(String requestId, Instant acceptedAt) {
            unfinished.put(key(requestId, acceptedAt), acceptedAt);
        }

        /** A request finished. */
        void finished(String requestId, Instant acceptedAt) {
            unfinished.remove(key(requestId, acceptedAt));
        }

        private static String key(String requestId, Instant acceptedAt) {
            return String.format(Locale.ROOT, "%015d %s", Math.max(0, acceptedAt.toEpochMilli()), requestId);
        }

        /**
         * A request's state went from {@code before} (null: new, or found in the store at the task's start) to
         * {@code after}: every count follows the difference in its images' phases. The one place the counts change,
         * so they cannot drift from the store.
         */
        void changed(RequestState before, RequestState after) {
            long queuedChange = after.queuedImages() - (before == null ? 0 : before.queuedImages());
            long heldChange = after.heldImages() - (before == null ? 0 : before.heldImages());
            if (queuedChange != 0) {
                add(after.request(), queuedChange);
                add(released, after.tenant(), queuedChange);
            }
            add(held, after.tenant(), heldChange);
        }

        /** The tenant's images released on this partition. */
        long released(String tenant) {
            return released.getOrDefault(tenant, 0L);
        }

        /** The tenant's images held on this partition. */
        long held(String tenant) {
            return held.getOrDefault(tenant, 0L);
        }

        /** The tenants with images held on this partition. */
        List<String> holding() {
            return List.copyOf(held.keySet());
        }

        /** Adds to a tenant's count, dropping it at 0: Kafka ingress may name any number of tenants over time. */
        private static void add(Map<String, Long> counts, String tenant, long count) {
            if (count != 0) {
                counts.merge(tenant, count, (a, b) -> a + b == 0 ? null : a + b);
            }
        }

        /** {@code count} jobs of {@code request} joined (positive) or left (negative) the queue. */
        private void add(GenerationRequest request, long count) {
            jobs[request.priority().ordinal()].addAndGet(count);
            gpuSeconds.add(count
                    * (double) request.width()
                    * request.height()
                    * request.steps()
                    * costOfModel.applyAsDouble(request.model())
                    / pixelStepsPerGpuSecond);
        }
    }
}
