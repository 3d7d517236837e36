package dev.sdfleet.dispatcher.support;

import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.protocol.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** Configuration of a dispatcher under test: its own topic prefix and application id on the shared broker. */
public final class TestFleet {
    private TestFleet() {}

    public static DispatcherConfig config(String name) {
        TestInfra infra = SharedInfra.get();
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        return DispatcherConfig.builder(infra.kafkaBootstrap())
                .topicPrefix(prefix)
                .applicationId(prefix + "dispatcher")
                .instanceId("d1")
                .stateDir(tempDir())
                .httpHost("127.0.0.1")
                .httpPort(0)
                .partitions(2)
                .tick(Duration.ofMillis(100))
                .tenants(TestTenants.tenants())
                .webhooks(WebhookSettings.defaults()
                        .withLoopbackAllowed(true)
                        .withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2))
                        .withTimeout(Duration.ofSeconds(3)))
                .build();
    }

    public static Dispatcher startReady(DispatcherConfig config) {
        Dispatcher dispatcher = Dispatcher.start(config);
        Eventually.until("dispatcher " + config.instanceId() + " ready", dispatcher::ready);
        return dispatcher;
    }

    public static Topics topics(DispatcherConfig config) {
        return config.topics();
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("dispatcher-state-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
