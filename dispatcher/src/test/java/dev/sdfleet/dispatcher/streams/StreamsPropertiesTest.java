package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The Kafka Streams properties carry static membership, the session timeout and standby replicas as configured. */
class StreamsPropertiesTest {
    static final String INSTANCE_ID = StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    static final String SESSION_TIMEOUT = StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);

    static Properties properties(Map<String, String> env) {
        return StreamsRunner.properties(DispatcherConfig.fromEnv(env), new HostInfo("10.0.3.17", 8080));
    }

    @Test
    void staticMembershipAndStandbyWhenConfigured() {
        Properties props = properties(Map.of(
                "SDFLEET_DISPATCHER_ID", "sdfleet-dispatcher-1",
                "SDFLEET_STATIC_MEMBERSHIP", "true",
                "SDFLEET_SESSION_TIMEOUT_MS", "120000",
                "SDFLEET_STANDBY_REPLICAS", "1"));
        assertEquals("sdfleet-dispatcher-1", props.get(INSTANCE_ID));
        assertEquals(120_000, props.get(SESSION_TIMEOUT));
        assertEquals(1, props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        // What Kafka Streams makes of them: each stream thread's consumer gets the id with its thread index.
        StreamsConfig config = new StreamsConfig(props);
        Map<String, Object> consumer = config.getMainConsumerConfigs("group", "client", 1);
        assertEquals("sdfleet-dispatcher-1-1", consumer.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertEquals(120_000, consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        assertEquals(1, config.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("10.0.3.17:8080", config.getString(StreamsConfig.APPLICATION_SERVER_CONFIG));
    }

    @Test
    void dynamicMembershipAndNoStandbyByDefault() {
        Properties props = properties(Map.of());
        assertFalse(props.containsKey(INSTANCE_ID));
        assertEquals(10_000, props.get(SESSION_TIMEOUT));
        assertEquals(0, props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        Map<String, Object> consumer = new StreamsConfig(props).getMainConsumerConfigs("group", "client", 1);
        assertFalse(consumer.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    }
}
