package dev.sdfleet.devstack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic setup through the Kafka Admin API, usable against any broker (embedded or in a container). */
public final class KafkaTopics {
    private static final long TIMEOUT_SECONDS = 30;
    /** Single-broker clusters only: the embedded broker and the Testcontainers one. */
    private static final short REPLICATION_FACTOR = 1;

    private KafkaTopics() {}

    /**
     * Makes sure every topic exists with at least the given partition count. Missing topics are created, topics with
     * fewer partitions are grown (Kafka cannot shrink them), so calling it again after a restart is harmless.
     */
    public static void create(String bootstrapServers, Map<String, Integer> partitionsByTopic) {
        create(bootstrapServers, Map.of(), partitionsByTopic);
    }

    /** {@link #create(String, Map)} as a client with these properties (a secured broker's super-user, say). */
    public static void create(
            String bootstrapServers, Map<String, String> clientProperties, Map<String, Integer> partitionsByTopic) {
        try (Admin admin = admin(bootstrapServers, clientProperties)) {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<String, Integer> existing = partitionCounts(admin, names);
            List<NewTopic> missing = new ArrayList<>();
            Map<String, NewPartitions> growing = new HashMap<>();
            partitionsByTopic.forEach((topic, partitions) -> {
                Integer current = existing.get(topic);
                if (current == null) {
                    missing.add(new NewTopic(topic, partitions, REPLICATION_FACTOR));
                } else if (current < partitions) {
                    growing.put(topic, NewPartitions.increaseTo(partitions));
                }
            });
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            if (!growing.isEmpty()) {
                admin.createPartitions(growing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            awaitLeaders(admin, partitionsByTopic);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Topic setup failed on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during topic setup", e);
        }
    }

    /** Partition counts of the existing, non-internal topics, sorted by name. */
    public static Map<String, Integer> partitionCounts(String bootstrapServers) {
        try (Admin admin = admin(bootstrapServers)) {
            return partitionCounts(admin, admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Listing topics failed on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
    }

    /**
     * The controller acknowledges new topics before the broker has loaded them; a producer that starts right away
     * gets NOT_LEADER_OR_FOLLOWER and retries. Waiting here until every partition has a leader avoids that noise.
     */
    private static void awaitLeaders(Admin admin, Map<String, Integer> partitionsByTopic)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            if (allPartitionsLed(admin, partitionsByTopic)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "Partitions without a leader after " + TIMEOUT_SECONDS + " s: " + partitionsByTopic.keySet());
            }
            Thread.sleep(20);
        }
    }

    private static boolean allPartitionsLed(Admin admin, Map<String, Integer> partitionsByTopic)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            Map<String, TopicDescription> descriptions = admin.describeTopics(partitionsByTopic.keySet())
                    .allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return descriptions.values().stream()
                    .allMatch(description ->
                            description.partitions().size() >= partitionsByTopic.get(description.name())
                                    && description.partitions().stream()
                                            .allMatch(partition -> partition.leader() != null
                                                    && !partition.leader().isEmpty()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // the broker has not loaded the new topic yet
            }
            throw e;
        }
    }

    /** An Admin client with short timeouts, so a dead broker fails setup quickly instead of hanging for minutes. */
    static Admin admin(String bootstrapServers) {
        return admin(bootstrapServers, Map.of());
    }

    /** {@link #admin(String)} with these client properties on top (security settings). */
    static Admin admin(String bootstrapServers, Map<String, String> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        return Admin.create(props);
    }

    private static Map<String, Integer> partitionCounts(Admin admin, Set<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Integer> counts = new TreeMap<>();
        if (topics.isEmpty()) {
            return counts;
        }
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        descriptions.forEach(
                (name, description) -> counts.put(name, description.partitions().size()));
        return counts;
    }
}
