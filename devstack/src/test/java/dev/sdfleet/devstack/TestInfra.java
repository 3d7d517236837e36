package dev.sdfleet.devstack;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Kafka plus S3 for integration tests: containers (Testcontainers Kafka and MinIO) where a Docker engine answers,
 * otherwise the embedded {@link EmbeddedKafka} and {@link EmbeddedS3}. Tests see the same bootstrap string, endpoint
 * and keys either way. {@code -Dsdfleet.docker=false} forces the embedded servers.
 *
 * <p>A test fixture: it ships in this module's test jar ({@code <type>test-jar</type>}, test scope). Testcontainers
 * is a test dependency of this module and not passed on: a module that wants the Docker path adds
 * {@code testcontainers-kafka} and {@code testcontainers-minio} in test scope. Without them on the class path the
 * embedded path is taken and no Testcontainers class is ever loaded.
 */
public final class TestInfra implements AutoCloseable {
    /** System property that turns the Docker path off when set to {@code false}. */
    public static final String DOCKER_PROPERTY = "sdfleet.docker";

    private static final Logger LOG = LoggerFactory.getLogger(TestInfra.class);
    private static final String DOCKER_PROBE_CLASS = "org.testcontainers.DockerClientFactory";

    /** Which servers back a {@link TestInfra}. */
    public enum Kind {
        /** Kafka and S3Proxy inside this JVM. */
        EMBEDDED,
        /** Kafka and MinIO containers. */
        DOCKER
    }

    private final Kind kind;
    private final String kafkaBootstrap;
    private final URI s3Endpoint;
    private final S3Credentials credentials;
    private final List<AutoCloseable> resources;
    private boolean closed;

    TestInfra(
            Kind kind,
            String kafkaBootstrap,
            URI s3Endpoint,
            S3Credentials credentials,
            List<AutoCloseable> resources) {
        this.kind = kind;
        this.kafkaBootstrap = kafkaBootstrap;
        this.s3Endpoint = s3Endpoint;
        this.credentials = credentials;
        this.resources = List.copyOf(resources);
    }

    /** Containers if Docker is usable, else embedded servers; S3 keys {@link S3Credentials#LOCAL}. */
    public static TestInfra start() {
        return dockerUsable() ? DockerInfra.start(S3Credentials.LOCAL) : startEmbedded();
    }

    /** Embedded Kafka and in-memory S3 on free ports, whatever Docker says. */
    public static TestInfra startEmbedded() {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start();
            started.add(kafka);
            EmbeddedS3 s3 =
                    EmbeddedS3.builder().credentials(S3Credentials.LOCAL).start();
            started.add(s3);
            return new TestInfra(Kind.EMBEDDED, kafka.bootstrapServers(), s3.endpoint(), s3.credentials(), started);
        } catch (RuntimeException | Error e) {
            Closeables.closeAfterFailure(started, e);
            throw e;
        }
    }

    /**
     * Whether {@link #start()} would take containers: not switched off by {@value #DOCKER_PROPERTY}, Testcontainers on
     * the class path, and a Docker engine that answers.
     */
    public static boolean dockerUsable() {
        if ("false".equalsIgnoreCase(System.getProperty(DOCKER_PROPERTY))) {
            return false;
        }
        try {
            Class.forName(DOCKER_PROBE_CLASS, false, TestInfra.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        try {
            return DockerInfra.dockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.info("Docker probe failed, using embedded servers: {}", e.toString());
            return false;
        }
    }

    /** Which servers are in use. */
    public Kind kind() {
        return kind;
    }

    /** {@code bootstrap.servers} for Kafka clients. */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** S3 endpoint (path-style addressing, region {@link S3Clients#REGION}). */
    public URI s3Endpoint() {
        return s3Endpoint;
    }

    /** S3 keys. */
    public S3Credentials s3Credentials() {
        return credentials;
    }

    /** A new S3 client for this endpoint; the caller closes it. */
    public S3Client s3Client() {
        return S3Clients.client(s3Endpoint, credentials);
    }

    /** Creates (or grows) the topics. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        KafkaTopics.create(kafkaBootstrap, partitionsByTopic);
    }

    /** Creates the bucket unless it exists. */
    public void createBucket(String bucket) {
        S3Clients.createBucket(s3Endpoint, credentials, bucket);
    }

    /** Stops the servers or containers; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Closeables.closeAll(resources);
        }
    }

    @Override
    public String toString() {
        return "TestInfra[" + kind + ", kafka=" + kafkaBootstrap + ", s3=" + s3Endpoint + "]";
    }
}
