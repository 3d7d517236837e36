package dev.sdfleet.dispatcher.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the dispatcher's topics exist before Kafka Streams starts (it refuses to start on a missing source topic).
 * The inputs are brought to one partition count, the largest of the configured and the existing ones: the stream
 * task of partition p must see partition p of every input for a request's records to meet. Growing a topic moves
 * future keys, so it is logged; on a fresh local fleet (requests created with 1 partition) it is harmless.
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 30;

    private TopicSetup() {}

    /** Returns the partition count the inputs now share. */
    public static int ensure(Admin admin, List<String> inputs, List<String> outputs, int partitions) {
        try {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> existingInputs =
                    inputs.stream().filter(names::contains).toList();
            Map<String, Integer> counts = new HashMap<>();
            if (!existingInputs.isEmpty()) {
                Map<String, TopicDescription> described =
                        admin.describeTopics(existingInputs).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                described.forEach((name, d) -> counts.put(name, d.partitions().size()));
            }
            int target = Math.max(
                    partitions,
                    counts.values().stream().mapToInt(Integer::intValue).max().orElse(0));
            List<NewTopic> missing = new ArrayList<>();
            Map<String, NewPartitions> growing = new HashMap<>();
            for (String topic : inputs) {
                Integer current = counts.get(topic);
                if (current == null) {
                    missing.add(new NewTopic(topic, Optional.of(target), Optional.empty()));
                } else if (current < target) {
                    LOG.warn(
                            "Growing {} from {} to {} partitions so the dispatcher's inputs are co-partitioned",
                            topic,
                            current,
                            target);
                    growing.put(topic, NewPartitions.increaseTo(target));
                }
            }
            for (String topic : outputs) {
                if (!names.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(target), Optional.empty()));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another instance creating the same topics at the same time is fine
                    }
                }
            }
            if (!growing.isEmpty()) {
                admin.createPartitions(growing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            if (!missing.isEmpty() || !growing.isEmpty()) {
                awaitPartitions(admin, inputs, target);
            }
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set up the dispatcher's topics: " + e, e);
        }
    }

    /**
     * Waits until the brokers' metadata shows every input with {@code partitions} partitions. The controller has
     * committed the change when createTopics/createPartitions return, but a broker applies it a moment later, and Kafka
     * Streams reads the metadata once when it joins: a count read in between leaves the new partitions unassigned, and
     * the requests keyed onto them unread, until its next metadata refresh (metadata.max.age.ms, 5 minutes).
     */
    private static void awaitPartitions(Admin admin, List<String> inputs, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(inputs).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                described = Map.of(); // a topic just created is not known to this broker yet
            }
            boolean settled = described.size() == inputs.size()
                    && described.values().stream().allMatch(d -> d.partitions().size() >= partitions);
            if (settled) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the brokers do not show " + partitions + " partitions for " + inputs
                        + " after " + TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(50);
        }
    }
}
