package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.metrics.QueuedWork;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Priority;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.ToDoubleFunction;

/**
 * Jobs waiting for a GPU, per priority, and the GPU-seconds they add up to: the autoscaling signal. Each stream task
 * keeps the tally of its own partition (rebuilt from its store when the task starts, so it follows the partition
 * when it moves); the gauges add up the tasks of this instance. Prometheus sums the instances.
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

        /** {@code count} jobs of {@code request} joined (positive) or left (negative) the queue. */
        void add(GenerationRequest request, long count) {
            if (count == 0) {
                return;
            }
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
