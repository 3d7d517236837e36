package dev.sdfleet.worker.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The worker's Kafka client settings, each with the reason for it. Keys and values stay bytes: decoding is the
 * worker's own business (a record that does not decode is a dead letter, not a poll failure).
 *
 * @param bootstrap {@code bootstrap.servers}
 * @param groupId the workers' consumer group
 * @param clientIdPrefix the worker id, so that broker logs and metrics name the worker
 * @param extra further properties for every client (security settings, timeouts), applied last
 */
public record KafkaClients(String bootstrap, String groupId, String clientIdPrefix, Map<String, String> extra) {

    public KafkaClients {
        extra = Map.copyOf(extra);
    }

    /** The jobs consumer: a member of the workers' group, committing by hand. */
    public KafkaConsumer<byte[], byte[]> jobsConsumer() {
        Map<String, Object> props = common("jobs");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // Offsets are committed only when a job's result is acknowledged: at-least-once from end to end.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group starts at the beginning: jobs published before the first worker came up must still run.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Cooperative rebalancing moves only the partitions that must move: a worker joining or leaving does not
        // stop every other worker's jobs.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // One record per poll makes the queue bound exact: the loop polls only while below its capacity, so it never
        // holds more. It costs nothing in throughput: fetches still come in batches, and poll() returns at once while
        // the fetched batch lasts.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // The consumer sends no fetch to a broker while its previous fetch there is pending, and a fetch for empty
        // partitions (the higher lanes, read only to hear of new arrivals) waits this long at the broker: at the
        // default 500 ms, the lower lane being read can refill its fetched batch only when that wait ends (a worker's
        // log of a poison backlog on the normal lane showed its records dead-lettered in pairs, half a second apart).
        // 100 ms (the loop's poll timeout) costs an idle worker 10 empty fetches a second instead of 2.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // The dispatcher publishes jobs inside its exactly-once transactions: a job of an aborted transaction (a
        // dispatcher that failed mid-commit, whose input is then processed again) must never run, so only committed
        // records are read. The default, read_uncommitted, would hand those jobs to a GPU as well.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(extra);
        return new KafkaConsumer<>(props);
    }

    /**
     * A jobs consumer in the workers' SHARE group ({@link ShareJobLoop}): one record at a time, each acknowledged by
     * hand once its result is published.
     */
    public KafkaShareConsumer<byte[], byte[]> jobsShareConsumer(String lane) {
        Map<String, Object> props = common("jobs-" + lane);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put("share.acknowledgement.mode", "explicit");
        // One record per poll and no prefetch: a record is acquired (and its delivery counted) only when the worker
        // has room for it. The default, batch_optimized, may hand a whole batch to one consumer.
        props.put("share.acquire.mode", "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // The worker does not poll while its job runs (a poll would acquire more jobs it could only release, each
        // release counting a delivery: ./sdfleet bench share-groups): the poll interval bound must outlast any job.
        // A stuck worker is the liveness probe's business.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int)
                Duration.ofHours(1).toMillis());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(extra);
        return new KafkaShareConsumer<>(props);
    }

    /** An admin client (the share group's settings). */
    public Admin admin() {
        Map<String, Object> props = common("admin");
        props.putAll(extra);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return Admin.create(props);
    }

    /** The cancels reader: no group (it reads every partition itself and commits nothing). */
    public KafkaConsumer<byte[], byte[]> cancelsConsumer() {
        Map<String, Object> props = common("cancels");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(extra);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props);
    }

    /** The producer for results, dead letters and progress. */
    public KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = common("results");
        // A result must survive a broker failure once acknowledged, and a retried send must not duplicate it.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // The producer gives up on a send after 30 s; ResultPublisher then retries it itself, with backoff, and logs.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // send() blocks for metadata at most this long (on the publisher thread) when the broker is down.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        // No lingering: a result is on the job's critical path, and sends made while one is in flight batch anyway
        // (progress bursts of a micro-batch). Kafka 4's default of 5 ms would add 5 ms to every job.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(extra);
        return new KafkaProducer<>(props);
    }

    private Map<String, Object> common(String role) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + role);
        return props;
    }
}
