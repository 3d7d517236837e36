package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.service.KafkaClientProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-bootstrap HOST:PORT} and {@code --kafka-properties FILE}: a command's way to a running Kafka (a
 * secured cluster) instead of the embedded broker, with the client properties the services take
 * ({@code SDFLEET_KAFKA_PROPERTIES_FILE}, {@code SDFLEET_KAFKA_PROPERTIES}), read by the same code. A picocli mixin
 * for the command line; {@link #outsideKafka(Args, Map)} for the benchmarks' parser.
 */
public final class KafkaOptions {
    private static final ArgsView ARGS = new ArgsView(new KafkaOptions());
    /** The benchmarks' parser: the options, to add to a command's valued ones. */
    public static final Set<String> VALUED = ARGS.valued();
    /** The benchmarks' help lines: the command line's. */
    public static final String HELP = ARGS.help();

    @Option(
            names = "--kafka-bootstrap",
            paramLabel = "HOST:PORT",
            description = "a running Kafka instead of the embedded one (a secured cluster, say)")
    String bootstrap;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description = "its client properties (security.protocol, sasl.*, ssl.*) for every Kafka client (default:"
                    + " $SDFLEET_KAFKA_PROPERTIES_FILE; $SDFLEET_KAFKA_PROPERTIES goes on top, as for the services)")
    String properties;

    /** As {@link #outsideKafka(Map)}, with the options the benchmarks' parser read. */
    public static LocalFleet.OutsideKafka outsideKafka(Args args, Map<String, String> env) {
        KafkaOptions options = new KafkaOptions();
        options.bootstrap = args.get("kafka-bootstrap", null);
        options.properties = args.get("kafka-properties", null);
        return options.outsideKafka(env);
    }

    /**
     * The Kafka of {@code --kafka-bootstrap}, with the client properties of {@code --kafka-properties FILE} (else
     * {@code SDFLEET_KAFKA_PROPERTIES_FILE}) and {@code SDFLEET_KAFKA_PROPERTIES} on top; null without
     * {@code --kafka-bootstrap} (the embedded broker).
     *
     * @throws Args.UsageException for properties without a Kafka to use them on, or a file that cannot be read
     */
    public LocalFleet.OutsideKafka outsideKafka(Map<String, String> env) {
        if (bootstrap == null) {
            if (properties != null) {
                throw new Args.UsageException("--kafka-properties is for a running Kafka: add --kafka-bootstrap");
            }
            return null;
        }
        Map<String, String> settings = new HashMap<>(env);
        if (properties != null) {
            settings.put(KafkaClientProperties.FILE.name(), properties);
        }
        try {
            return new LocalFleet.OutsideKafka(bootstrap, KafkaClientProperties.fromEnv(settings));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }
}
