package dev.sdfleet.client;

import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.protocol.Topics;
import java.time.Duration;

/**
 * What the client talks to in these tests: a real dispatcher on the real embedded Kafka and S3 (the dispatcher
 * tests' shared infrastructure, under a topic prefix of its own), presigning image links, and the dispatcher tests'
 * stand-in worker, which takes the real jobs, stores an object in S3 and publishes the result, or holds the job as
 * its policy says.
 */
public final class ClientFleet implements AutoCloseable {
    public static final String MODEL = "tiny-sd";

    final TestInfra infra = SharedInfra.get();
    final DispatcherConfig config;
    final Dispatcher dispatcher;
    final FakeWorker worker;

    public ClientFleet(String name) {
        config = TestFleet.config(name).toBuilder()
                .s3(
                        infra.s3Endpoint(),
                        infra.s3Credentials().accessKey(),
                        infra.s3Credentials().secretKey())
                .build();
        dispatcher = TestFleet.startReady(config);
        worker = new FakeWorker(
                infra,
                config.topics().jobLanesFor(MODEL),
                config.topics().results(),
                job -> FakeWorker.Action.COMPLETE);
    }

    public String kafkaBootstrap() {
        return infra.kafkaBootstrap();
    }

    public Topics topics() {
        return config.topics();
    }

    /** A client of tenant acme, polling often (the fake worker answers in milliseconds). */
    public SdfleetClient client() {
        return client(TestTenants.ACME_KEY);
    }

    public SdfleetClient client(String apiKey) {
        return SdfleetClient.builder(dispatcher.baseUrl())
                .bearerToken(apiKey)
                .pollInterval(Duration.ofMillis(100))
                .build();
    }

    @Override
    public void close() throws Exception {
        try (var d = dispatcher) {
            worker.close();
        }
    }
}
