package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.metrics.QueuedWork;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Priority;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Jobs waiting for a GPU, per priority, and the GPU-seconds they add up to: the autoscaling signal. Each stream task
 * keeps the tally of its own partition (rebuilt from its store when the task starts, so it follows the partition
 * when it moves); the gauges add up the tasks of this instance. Prometheus sums the instances.
 */
public final class QueueTally implements QueuedWork {
    private final Map<String, TaskTally> tasks = new ConcurrentHashMap<>();
    private final double pixelStepsPerGpuSecond;

    public QueueTally(double pixelStepsPerGpuSecond) {
        this.pixelStepsPerGpuSecond = pixelStepsPerGpuSecond;
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

    /** One task's share; written by that task's stream thread only, read by the metrics scrape. */
    final class TaskTally {
        private final AtomicLong[] jobs = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        private final DoubleAdder gpuSeconds = new DoubleAdder();

        /** {@code count} jobs of {@code request} joined (positive) or left (negative) the queue. */
        void add(GenerationRequest request, long count) {
            if (count == 0) {
                return;
            }
            jobs[request.priority().ordinal()].addAndGet(count);
            gpuSeconds.add(
                    count * (double) request.width() * request.height() * request.steps() / pixelStepsPerGpuSecond);
        }
    }
}
