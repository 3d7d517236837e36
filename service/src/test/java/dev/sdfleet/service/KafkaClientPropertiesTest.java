package dev.sdfleet.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
    private static final SettingSet SETTINGS = SettingSet.of(KafkaClientProperties.FILE, KafkaClientProperties.INLINE);

    @Test
    void theVariableWinsOverTheFileKeyByKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="worker" password="s3cret";
                session.timeout.ms=45000
                """);
        SettingValues values = SETTINGS.fromEnv(Map.of(
                "SDFLEET_KAFKA_PROPERTIES_FILE",
                file.toString(),
                "SDFLEET_KAFKA_PROPERTIES",
                "session.timeout.ms=6000"));

        Map<String, String> properties = KafkaClientProperties.of(values);

        assertEquals("SASL_SSL", properties.get("security.protocol"));
        assertEquals("6000", properties.get("session.timeout.ms"));
        assertTrue(properties.get("sasl.jaas.config").endsWith("username=\"worker\" password=\"s3cret\";"));
        assertFalse(SETTINGS.describe(values).contains("s3cret"), "the log line shows the path, not the file");
    }

    @Test
    void noFileAndNoVariableMeanNoProperties() {
        assertEquals(Map.of(), KafkaClientProperties.of(SETTINGS.fromEnv(Map.of())));
    }

    @Test
    void aMissingFileIsRefusedByNameWhenClientsAreMade(@TempDir Path dir) {
        SettingValues values = SETTINGS.fromEnv(
                Map.of("SDFLEET_KAFKA_PROPERTIES_FILE", dir.resolve("nope").toString()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KafkaClientProperties.of(values));
        assertTrue(e.getMessage().startsWith("SDFLEET_KAFKA_PROPERTIES_FILE"), e.getMessage());
    }

    @Test
    void theFileIsWrittenBackAsItsPathForChildProcesses(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), "security.protocol=SSL\n");
        SettingValues values = SETTINGS.fromEnv(Map.of("SDFLEET_KAFKA_PROPERTIES_FILE", file.toString()));
        assertEquals(Map.of("SDFLEET_KAFKA_PROPERTIES_FILE", file.toString()), SETTINGS.toEnv(values));
    }
}
