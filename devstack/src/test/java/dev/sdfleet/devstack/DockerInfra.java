package dev.sdfleet.devstack;

import java.net.URI;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The container half of {@link TestInfra}. It is the only class that touches Testcontainers, and TestInfra calls it
 * only after checking that Testcontainers is on the class path.
 */
final class DockerInfra {
    /** Image of the Kafka container; override with {@code -Dsdfleet.docker.kafkaImage}. */
    static final String KAFKA_IMAGE = System.getProperty("sdfleet.docker.kafkaImage", "apache/kafka-native:4.1.1");
    /** Image of the MinIO container; override with {@code -Dsdfleet.docker.minioImage}. */
    static final String MINIO_IMAGE =
            System.getProperty("sdfleet.docker.minioImage", "minio/minio:RELEASE.2023-09-04T19-57-37Z");

    private DockerInfra() {}

    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static TestInfra start(S3Credentials credentials) {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        MinIOContainer minio = new MinIOContainer(MINIO_IMAGE)
                .withUserName(credentials.accessKey())
                .withPassword(credentials.secretKey());
        try {
            kafka.start();
            minio.start();
        } catch (RuntimeException e) {
            Closeables.closeAfterFailure(List.of(minio::stop, kafka::stop), e);
            throw e;
        }
        return new TestInfra(
                TestInfra.Kind.DOCKER,
                kafka.getBootstrapServers(),
                URI.create(minio.getS3URL()),
                credentials,
                List.of(minio::stop, kafka::stop));
    }
}
