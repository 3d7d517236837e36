package dev.sdfleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.devstack.EmbeddedKafka;
import dev.sdfleet.devstack.KafkaSecurity;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./sdfleet bench fleet-latency --kafka-bootstrap ... --kafka-properties FILE}: the fleet bench on a running
 * Kafka that takes SASL_SSL only, so its topic setup, publisher, watcher and worker all took the file's properties.
 */
class SecuredKafkaBenchTest {
    @Test
    void theFleetLatencyBenchRunsOnASecuredKafka(@TempDir Path dir) throws Exception {
        try (KafkaSecurity security = KafkaSecurity.create(List.of());
                EmbeddedKafka kafka = EmbeddedKafka.builder().security(security).start()) {
            Path file = dir.resolve("client.properties");
            Properties properties = new Properties();
            properties.putAll(kafka.superUserClient());
            try (Writer writer = Files.newBufferedWriter(file)) {
                properties.store(writer, null);
            }
            BenchMainTest.Run r = BenchMainTest.run(
                    "fleet-latency",
                    "--model",
                    TinyModels.sd().toString(),
                    "--jobs",
                    "2",
                    "--steps",
                    "2",
                    "--kafka-bootstrap",
                    kafka.bootstrapServers(),
                    "--kafka-properties",
                    file.toString());
            assertEquals(0, r.exit(), r.err() + r.out());
        }
    }
}
