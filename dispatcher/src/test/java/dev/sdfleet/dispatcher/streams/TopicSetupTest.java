package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.support.SharedInfra;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/**
 * The inputs TopicSetup grows must show their new partitions to the clients that start right after it: Kafka Streams
 * reads the topics' metadata once when it joins, and a stale count leaves the new partitions unread until its next
 * metadata refresh ({@code metadata.max.age.ms}, 5 minutes), so requests keyed onto them wait that long.
 */
class TopicSetupTest {

    @Test
    void grownInputsShowTheirPartitionsWhenEnsureReturns() throws Exception {
        TestInfra infra = SharedInfra.get();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap());
        try (Admin admin = Admin.create(props)) {
            // Several rounds: whether the broker's metadata lags the growth is a race, so one round could pass anyway.
            for (int round = 0; round < 10; round++) {
                String prefix = "topic-setup-" + round + "-" + System.nanoTime() + ".";
                List<String> inputs = List.of(prefix + "requests", prefix + "results", prefix + "cancels");
                infra.createTopics(Map.of(inputs.get(0), 1, inputs.get(1), 4, inputs.get(2), 1));

                int partitions = TopicSetup.ensure(admin, inputs, List.of(prefix + "events"), 1);

                assertEquals(4, partitions);
                Map<String, TopicDescription> described =
                        admin.describeTopics(inputs).allTopicNames().get(30, TimeUnit.SECONDS);
                for (String input : inputs) {
                    assertEquals(4, described.get(input).partitions().size(), input);
                }
            }
        }
    }
}
