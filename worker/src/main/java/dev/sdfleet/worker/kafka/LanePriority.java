package dev.sdfleet.worker.kafka;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strict priority across a model's jobs lanes ({@code Topics.jobLanesFor}: high, normal, low). Kafka has no priority
 * queue, so the worker makes one: while a lane has a backlog (records between the consumer's position and the
 * partition's end), the lanes below it are paused, and the worker's next job comes from the highest lane that has
 * one. The backlogs come from the broker ({@code endOffsets}, one ListOffsets call, at most once per interval), not
 * from the fetcher's cached high watermarks, which go stale for paused partitions.
 *
 * <p>Strict: a lower lane waits for as long as a higher one has work. Used by the consumer loop thread only.
 */
final class LanePriority {
    private static final Logger LOG = LoggerFactory.getLogger(LanePriority.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<String> lanes;
    private final long intervalNanos;
    private long checkedAt;
    private Set<TopicPartition> readable = Set.of();
    private Set<TopicPartition> checkedFor = Set.of();

    LanePriority(List<String> lanes, Duration interval) {
        this.lanes = List.copyOf(lanes);
        this.intervalNanos = interval.toNanos();
    }

    /** The partitions of {@code assigned} to read now: the lanes down to the highest one with a backlog. */
    Set<TopicPartition> readable(Consumer<?, ?> consumer, Set<TopicPartition> assigned) {
        if (lanes.size() == 1 || assigned.isEmpty()) {
            return assigned;
        }
        long now = System.nanoTime();
        if (assigned.equals(checkedFor) && now - checkedAt < intervalNanos) {
            return readable;
        }
        checkedFor = Set.copyOf(assigned);
        checkedAt = now;
        readable = compute(consumer, assigned);
        return readable;
    }

    private Set<TopicPartition> compute(Consumer<?, ?> consumer, Set<TopicPartition> assigned) {
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(assigned, TIMEOUT);
        } catch (KafkaException e) {
            // Often a wakeup (a finished record, a starting call): ask again next turn rather than a whole interval on.
            LOG.debug("Lane backlogs unknown ({}): reading every lane", e.toString());
            checkedFor = null;
            return assigned;
        }
        Set<TopicPartition> read = new HashSet<>();
        for (String lane : lanes) {
            boolean backlog = false;
            for (TopicPartition partition : assigned) {
                if (partition.topic().equals(lane)) {
                    read.add(partition);
                    backlog |= hasBacklog(consumer, partition, ends.get(partition));
                }
            }
            if (backlog) {
                return read; // this lane has work: the lanes below wait
            }
        }
        return assigned;
    }

    private static boolean hasBacklog(Consumer<?, ?> consumer, TopicPartition partition, Long end) {
        if (end == null) {
            return false;
        }
        try {
            return consumer.position(partition, TIMEOUT) < end;
        } catch (KafkaException e) {
            return true; // no position yet: it may well hold work, so it keeps its rank
        }
    }
}
