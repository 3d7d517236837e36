package dev.sdfleet.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Kafka client properties every service and command takes, declared once so that a worker, a dispatcher, the CLI
 * and the benches are secured the same way: a {@code client.properties} file (what Kafka's own tools take with
 * {@code --command-config}; a Kubernetes secret mounted as a file) and a {@code key=value,...} variable on top of it,
 * key by key. Both go to every Kafka client (consumers, producers, admin, Kafka Streams) and come last, so that
 * {@code security.protocol}, {@code sasl.*} and {@code ssl.*} are the operator's to set.
 */
public final class KafkaClientProperties {
    public static final Setting<Path> FILE = Setting.path(
                    "SDFLEET_KAFKA_PROPERTIES_FILE",
                    "a Java properties file of Kafka client properties for every client (`security.protocol`,"
                            + " `sasl.*`, `ssl.*`: SASL_SSL with SCRAM, or SSL with a client certificate)")
            .unsetMeans("none");
    public static final Setting<Map<String, String>> INLINE = Setting.properties(
                    "SDFLEET_KAFKA_PROPERTIES",
                    "`key=value,...` for every Kafka client, on top of `SDFLEET_KAFKA_PROPERTIES_FILE` (security,"
                            + " session timeout); secret-looking values masked in the log")
            .withDefault(values -> Map.of(), "none");

    /** Just these two settings: what a command that is no service reads (the CLI, the benches). */
    public static final SettingSet SETTINGS = SettingSet.of(FILE, INLINE);

    private KafkaClientProperties() {}

    /**
     * The properties {@code env}'s two variables ask for, as a service would read them.
     *
     * @throws IllegalArgumentException naming the variable that is wrong or the file that cannot be read
     */
    public static Map<String, String> fromEnv(Map<String, String> env) {
        return of(SETTINGS.fromEnv(env));
    }

    /**
     * The properties {@code values} ask for: the file's, then the inline ones over them. The file is read now, not when
     * the settings are: a mounted secret may change (a rotated password) and a client made later gets the new one;
     * and a manifest's settings can be checked where the file is not.
     *
     * @throws IllegalArgumentException naming {@code SDFLEET_KAFKA_PROPERTIES_FILE} when it cannot be read
     */
    public static Map<String, String> of(SettingValues values) {
        return merge(values.get(FILE), values.get(INLINE));
    }

    /** The properties of {@code file} (null: none), then {@code inline} over them. */
    public static Map<String, String> merge(Path file, Map<String, String> inline) {
        Map<String, String> merged = new LinkedHashMap<>(file == null ? Map.of() : read(file));
        if (inline != null) {
            merged.putAll(inline);
        }
        return Map.copyOf(merged);
    }

    /**
     * The properties in a Java properties file, sorted by key.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read (the message holds no value: the
     *     file holds passwords)
     */
    public static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(
                    FILE.name() + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> map = new TreeMap<>();
        properties
                .stringPropertyNames()
                .forEach(key -> map.put(key, properties.getProperty(key).trim()));
        return map;
    }
}
