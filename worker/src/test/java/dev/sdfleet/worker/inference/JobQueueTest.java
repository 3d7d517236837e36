package dev.sdfleet.worker.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Micro-batches take only compatible jobs, oldest first, and the queue gives back what it still holds at close. */
class JobQueueTest {
    private static long offset;

    static QueuedJob queued(Job job) {
        return new QueuedJob(job, new RecordPosition("jobs", 0, offset++), Instant.now());
    }

    static QueuedJob queued(String request, int side) {
        return queued(TestJobs.sized(request, 0, "a red circle", 1, side, 20));
    }

    @Test
    void aBatchTakesCompatibleJobsInOrderAndLeavesTheRest() throws Exception {
        JobQueue queue = new JobQueue();
        QueuedJob a = queued("a", 64);
        QueuedJob b = queued("b", 128);
        QueuedJob c = queued("c", 64);
        QueuedJob d = queued("d", 64);
        List.of(a, b, c, d).forEach(queue::add);

        assertEquals(List.of(a, c), queue.takeBatch(2, Duration.ZERO));
        assertEquals(List.of(b), queue.takeBatch(4, Duration.ZERO), "128x128 does not batch with 64x64");
        assertEquals(List.of(d), queue.takeBatch(4, Duration.ZERO));
        assertEquals(0, queue.size());
    }

    @Test
    void aSuspectRunsAloneAndStaysOutOfOthersBatches() throws Exception {
        JobQueue queue = new JobQueue();
        QueuedJob suspect = new QueuedJob(
                TestJobs.sized("s", 0, "a red circle", 1, 64, 20),
                new RecordPosition("jobs", 0, offset++),
                Instant.now(),
                1);
        QueuedJob a = queued("a", 64);
        QueuedJob b = queued("b", 64);
        List.of(a, suspect, b).forEach(queue::add);

        assertEquals(List.of(a, b), queue.takeBatch(4, Duration.ZERO), "the suspect is left out");
        assertEquals(List.of(suspect), queue.takeBatch(4, Duration.ZERO));

        queue.add(suspect);
        queue.add(queued("c", 64));
        assertEquals(List.of(suspect), queue.takeBatch(4, Duration.ZERO), "taken first, it takes no batch-mates");
        assertEquals(1, queue.size());
    }

    @Test
    void theMostUrgentJobGoesFirstOldestFirstWithinItsPriority() throws Exception {
        JobQueue queue = new JobQueue();
        QueuedJob low = queued(TestJobs.withPriority(TestJobs.sized("low", 0, "a", 1, 64, 20), Priority.LOW));
        QueuedJob normal = queued(TestJobs.sized("normal", 0, "b", 1, 128, 20));
        QueuedJob high1 = queued(TestJobs.withPriority(TestJobs.sized("high1", 0, "c", 1, 256, 20), Priority.HIGH));
        QueuedJob high2 = queued(TestJobs.withPriority(TestJobs.sized("high2", 0, "d", 1, 256, 20), Priority.HIGH));
        List.of(low, normal, high1, high2).forEach(queue::add);

        assertEquals(List.of(high1, high2), queue.takeBatch(4, Duration.ZERO));
        assertEquals(List.of(normal), queue.takeBatch(4, Duration.ZERO));
        assertEquals(List.of(low), queue.takeBatch(4, Duration.ZERO));
    }

    @Test
    void theWindowWaitsForMoreCompatibleJobs() throws Exception {
        JobQueue queue = new JobQueue();
        queue.add(queued("first", 64));
        CompletableFuture<List<QueuedJob>> batch = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.takeBatch(2, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.add(queued("second", 64));
        assertEquals(2, batch.get(60, TimeUnit.SECONDS).size(), "the second job arrived within the window");
    }

    @Test
    void putBackGoesFirstInOrder() throws Exception {
        JobQueue queue = new JobQueue();
        QueuedJob later = queued("later", 64);
        queue.add(later);
        QueuedJob x = queued("x", 64);
        QueuedJob y = queued("y", 64);
        queue.putBack(List.of(x, y));
        assertEquals(List.of(x, y, later), queue.takeBatch(3, Duration.ZERO));
    }

    @Test
    void removeIfAndCloseHandBackJobs() throws Exception {
        JobQueue queue = new JobQueue();
        QueuedJob keep = queued("keep", 64);
        QueuedJob drop = queued("drop", 64);
        queue.add(keep);
        queue.add(drop);
        assertEquals(List.of(drop), queue.removeIf(j -> j.job().requestId().equals("drop")));
        assertEquals(List.of(keep), queue.close());
        assertTrue(queue.takeBatch(1, Duration.ZERO).isEmpty(), "a closed queue hands out nothing");
    }
}
