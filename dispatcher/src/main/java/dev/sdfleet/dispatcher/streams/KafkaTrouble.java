package dev.sdfleet.dispatcher.streams;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.errors.TaskMigratedException;

/**
 * Tells a failure of Kafka itself (an outage, a rebalance, a fenced producer) from a failure caused by the record
 * being processed. The first must never turn a valid record into a dead letter: it is redone, the second is parked.
 */
final class KafkaTrouble {
    private KafkaTrouble() {}

    /** Whether {@code failure} or any of its causes is Kafka's own trouble rather than the record's. */
    static boolean in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException // timeouts, unknown leaders, not enough replicas, disconnects
                    || t instanceof ProducerFencedException
                    || t instanceof InvalidProducerEpochException
                    || t instanceof TaskMigratedException
                    || t instanceof TaskCorruptedException) {
                return true;
            }
        }
        return false;
    }
}
