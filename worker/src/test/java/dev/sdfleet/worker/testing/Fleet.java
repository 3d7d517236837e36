package dev.sdfleet.worker.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.devstack.S3Credentials;
import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.config.WorkerConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One test's fleet on the shared embedded Kafka and S3: its own topic prefix (so tests never see each other's
 * records), its own consumer group, the workers it started, and the clients a test needs to publish jobs and to
 * look at results, dead letters, committed offsets and stored objects. Closing it closes its workers first.
 */
public final class Fleet implements AutoCloseable {
    /** Generous bounds: the build machine has two cores and may be busy. Never used to assert a duration. */
    public static final Duration TIMEOUT = Duration.ofSeconds(90);

    public static final String BUCKET = "sdfleet-test";
    public static final int PARTITIONS = 2;
    /** The partitions a worker of the tiny model reads: {@link #PARTITIONS} on each of its three priority lanes. */
    public static final int JOB_PARTITIONS = 3 * PARTITIONS;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static TestInfra shared;

    private final String prefix;
    private final Topics topics;
    private final String groupId;
    private final String bootstrap;
    private final URI s3Endpoint;
    private final S3Credentials s3Credentials;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Worker> workers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TopicTail<JobResult> results;
    private TopicTail<JobProgress> progress;
    private TopicTail<DeadLetter> deadLetters;

    /** A fleet on the shared servers. */
    public Fleet(String name) {
        this(name, infra().s3Endpoint(), infra().s3Credentials());
    }

    /** A fleet on the shared Kafka but another S3 server (the outage test brings its own). */
    public Fleet(String name, URI s3Endpoint, S3Credentials s3Credentials) {
        TestInfra infra = infra();
        this.prefix = "t" + SEQUENCE.incrementAndGet() + "-" + name + ".";
        this.topics = Topics.withPrefix(prefix).forModel(TestJobs.TINY_SD); // the workers' view: tiny-sd's jobs
        this.groupId = prefix + "workers";
        this.bootstrap = infra.kafkaBootstrap();
        this.s3Endpoint = s3Endpoint;
        this.s3Credentials = s3Credentials;
        Map<String, Integer> partitions = new LinkedHashMap<>();
        topics.all().forEach(topic -> partitions.put(topic, PARTITIONS));
        Topics.withPrefix(prefix).jobLanesFor(TestJobs.TINY_SD).forEach(lane -> partitions.put(lane, PARTITIONS));
        infra.createTopics(partitions);
        S3Clients.createBucket(s3Endpoint, s3Credentials, BUCKET);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class.getName()));
    }

    /** The embedded Kafka and S3 shared by every test in this JVM, started on first use. */
    public static synchronized TestInfra infra() {
        if (shared == null) {
            shared = TestInfra.start();
            TestInfra started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-infra-close"));
        }
        return shared;
    }

    public Topics topics() {
        return topics;
    }

    public String groupId() {
        return groupId;
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** A worker config for this fleet: its topics, group, bucket; HTTP on a free port; short retry waits. */
    public WorkerConfig.Builder config(String workerId) {
        return WorkerConfig.builder()
                .workerId(workerId)
                .kafkaBootstrap(bootstrap)
                .groupId(groupId)
                .topicPrefix(prefix)
                .s3Endpoint(s3Endpoint)
                .s3AccessKey(s3Credentials.accessKey())
                .s3SecretKey(s3Credentials.secretKey())
                .s3Bucket(BUCKET)
                .model(TinyModels.sd().toString())
                .threads(1)
                .httpPort(0)
                .drainTimeout(Duration.ofSeconds(30))
                .progressThrottle(Duration.ofMillis(100))
                .retryBackoff(Duration.ofMillis(100))
                .retryMaxBackoff(Duration.ofSeconds(1));
    }

    /** Starts a worker; the fleet closes it at the end unless the test did. */
    public Worker start(WorkerConfig config) {
        return start(new Worker(config));
    }

    /** Starts a worker the test built; the fleet closes it at the end unless the test did. */
    public Worker start(Worker worker) {
        workers.add(worker);
        return worker.start();
    }

    /** Publishes a message as the dispatcher would: keyed by request id, with CloudEvents headers; waits for the ack. */
    public void publish(ProtocolMessage message) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(message, "/sdfleet/test", Instant.now())
                .toMap()
                .forEach(headers::add);
        send(new ProducerRecord<>(
                MessageType.of(message).topic(topics),
                null,
                RecordKeys.keyOf(message),
                Codec.encode(message),
                headers));
    }

    /** Publishes raw bytes on the jobs topic (a poison record, a hand-written job), as kcat would. */
    public void publishRaw(String key, String value) {
        send(new ProducerRecord<>(
                topics.jobs(), key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Publishes a job with an explicit key (to put several records on one partition in order). */
    public void publishWithKey(String key, ProtocolMessage message) {
        send(new ProducerRecord<>(
                MessageType.of(message).topic(topics), key.getBytes(StandardCharsets.UTF_8), Codec.encode(message)));
    }

    public void cancel(CancelRequest cancel) {
        publish(cancel);
    }

    /** Publishes any record, as kcat would (any bytes, any headers, null key or value); returns where it landed. */
    public RecordMetadata publishRecord(ProducerRecord<byte[], byte[]> record) {
        return send(record);
    }

    private RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("publishing failed: " + e, e);
        }
    }

    public synchronized TopicTail<JobResult> results() {
        if (results == null) {
            results = tail(topics.results(), JobResult.class);
        }
        return results;
    }

    public synchronized TopicTail<JobProgress> progress() {
        if (progress == null) {
            progress = tail(topics.results(), JobProgress.class);
        }
        return progress;
    }

    public synchronized TopicTail<DeadLetter> deadLetters() {
        if (deadLetters == null) {
            deadLetters = tail(topics.dlq(), DeadLetter.class);
        }
        return deadLetters;
    }

    private <T extends ProtocolMessage> TopicTail<T> tail(String topic, Class<T> type) {
        TopicTail<T> tail = new TopicTail<>(bootstrap, topic, type);
        closeables.add(tail);
        return tail;
    }

    /** The first result of {@code jobId}. */
    public JobResult awaitResult(String jobId) {
        return results().await(r -> r.jobId().equals(jobId), TIMEOUT);
    }

    /** The first progress event of {@code jobId}: the job is running. */
    public JobProgress awaitProgress(String jobId) {
        return progress().await(p -> p.jobId().equals(jobId), TIMEOUT);
    }

    /** The group's committed offsets on the jobs topic, by partition (absent: nothing committed). */
    public Map<Integer, Long> committedJobOffsets() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<Integer, Long> byPartition = new LinkedHashMap<>();
            offsets.forEach((tp, offset) -> {
                if (tp.topic().equals(topics.jobs()) && offset != null) {
                    byPartition.put(tp.partition(), offset.offset());
                }
            });
            return byPartition;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("reading committed offsets failed: " + e, e);
        }
    }

    /**
     * The group's lag on the jobs topic as KEDA's Kafka scaler reads it: the partitions' end offsets minus the
     * committed ones (a partition with nothing committed counts its whole end offset).
     */
    public long jobsLag() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new TopicPartition(topics.jobs(), partition), OffsetSpec.latest());
            }
            long end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum();
            return end - committedTotal();
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("reading end offsets failed: " + e, e);
        }
    }

    /**
     * The share group's assignment right now: for each partition, the client ids of the members it is assigned to. A
     * worker's share consumer joins on its first poll, not when the worker starts; with more members than partitions
     * the broker gives some partitions to several members, which ones it decides.
     */
    public Map<TopicPartition, Set<String>> shareGroupAssignment() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ShareGroupDescription group = admin.describeShareGroups(List.of(groupId))
                    .describedGroups()
                    .get(groupId)
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Set<String>> members = new HashMap<>();
            for (ShareMemberDescription member : group.members()) {
                for (TopicPartition partition : member.assignment().topicPartitions()) {
                    members.computeIfAbsent(partition, p -> new HashSet<>()).add(member.clientId());
                }
            }
            return members;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("describing share group " + groupId + " failed: " + e, e);
        }
    }

    /** The sum of committed offsets: the number of jobs records committed, when each partition started at 0. */
    public long committedTotal() {
        return committedJobOffsets().values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Waits until {@code condition} holds. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    public S3Client s3() {
        S3Client client = S3Clients.client(s3Endpoint, s3Credentials);
        closeables.add(client);
        return client;
    }

    /** The keys stored under {@code prefix} in the test bucket. */
    public List<String> keys(String keyPrefix) {
        try (S3Client s3 = S3Clients.client(s3Endpoint, s3Credentials)) {
            return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(keyPrefix)).contents().stream()
                    .map(S3Object::key)
                    .toList();
        }
    }

    /** The bytes of an object in the test bucket. */
    public byte[] object(String key) {
        try (S3Client s3 = S3Clients.client(s3Endpoint, s3Credentials)) {
            return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
        }
    }

    @Override
    public void close() {
        for (Worker worker : workers) {
            worker.close();
        }
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // best effort at the end of a test
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
