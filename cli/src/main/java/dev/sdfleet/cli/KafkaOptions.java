package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.service.KafkaClientProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --kafka-bootstrap HOST:PORT} and {@code --kafka-properties FILE}: a command's way to a running Kafka (a
 * secured cluster) instead of the embedded broker, with the client properties the services take
 * ({@code SDFLEET_KAFKA_PROPERTIES_FILE}, {@code SDFLEET_KAFKA_PROPERTIES}), read by the same code.
 */
public final class KafkaOptions {
    /** The options, to add to a command's valued ones. */
    public static final Set<String> VALUED = Set.of("kafka-bootstrap", "kafka-properties");

    /** Their lines in a command's help. */
    public static final String HELP = String.join(
            "\n",
            "  --kafka-bootstrap HOST:PORT  a running Kafka instead of the embedded one (a secured cluster, say)",
            "  --kafka-properties FILE  its client properties (security.protocol, sasl.*, ssl.*) for every Kafka",
            "                    client (default: $SDFLEET_KAFKA_PROPERTIES_FILE; $SDFLEET_KAFKA_PROPERTIES goes on",
            "                    top, as for the services)");

    private KafkaOptions() {}

    /**
     * The Kafka of {@code --kafka-bootstrap}, with the client properties of {@code --kafka-properties FILE} (else
     * {@code SDFLEET_KAFKA_PROPERTIES_FILE}) and {@code SDFLEET_KAFKA_PROPERTIES} on top; null without
     * {@code --kafka-bootstrap} (the embedded broker).
     *
     * @throws Args.UsageException for properties without a Kafka to use them on, or a file that cannot be read
     */
    public static LocalFleet.OutsideKafka outsideKafka(Args args, Map<String, String> env) {
        if (!args.has("kafka-bootstrap")) {
            if (args.has("kafka-properties")) {
                throw new Args.UsageException("--kafka-properties is for a running Kafka: add --kafka-bootstrap");
            }
            return null;
        }
        Map<String, String> settings = new HashMap<>(env);
        if (args.has("kafka-properties")) {
            settings.put(KafkaClientProperties.FILE.name(), args.get("kafka-properties", ""));
        }
        try {
            return new LocalFleet.OutsideKafka(
                    args.get("kafka-bootstrap", ""), KafkaClientProperties.fromEnv(settings));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }
}
