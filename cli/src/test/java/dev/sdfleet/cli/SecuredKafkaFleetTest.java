package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.devstack.EmbeddedKafka;
import dev.sdfleet.devstack.EmbeddedS3;
import dev.sdfleet.devstack.KafkaSecurity;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.KafkaAccess;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.model.ModelSource;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fleet on a secured broker, each party with only the ACLs {@link KafkaAccess} gives it: the dispatcher as a SCRAM
 * user (its client properties from a file, as in a pod), a worker with a client certificate (mTLS), an outside
 * publisher as a SCRAM user. A request posted to the API and one published on Kafka both complete; then the refusals:
 * the worker cannot write requests nor read the dispatcher's control and changelog topics, the publisher cannot write
 * jobs.
 */
class SecuredKafkaFleetTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String DISPATCHER = "dispatcher";
    private static final String WORKER = "worker";
    private static final String PUBLISHER = "publisher";
    private static final String DISPATCHER_PASSWORD = "dispatcher-" + UUID.randomUUID();
    private static final String PUBLISHER_PASSWORD = "publisher-" + UUID.randomUUID();

    /** Both ways a worker takes jobs: a consumer group's partitions, or a share group's records (its own grants). */
    @ParameterizedTest
    @ValueSource(strings = {WorkerConfig.INTAKE_GROUP, WorkerConfig.INTAKE_SHARE})
    void requestsRunThroughTheSecuredBrokerAndEachPrincipalIsHeldToItsGrants(String intake, @TempDir Path root)
            throws Exception {
        Topics topics = Topics.defaults();
        try (KafkaSecurity security = KafkaSecurity.create(List.of(WORKER));
                EmbeddedKafka kafka = EmbeddedKafka.builder().security(security).start();
                EmbeddedS3 s3 = EmbeddedS3.builder().dataDir(root.resolve("s3")).start()) {
            s3.createBucket("sdfleet");
            kafka.addScramUser(DISPATCHER, DISPATCHER_PASSWORD);
            kafka.addScramUser(PUBLISHER, PUBLISHER_PASSWORD);
            WorkerConfig workerConfig = WorkerConfig.builder()
                    .workerId("secured-worker")
                    .kafkaBootstrap(kafka.sslBootstrapServers())
                    .kafkaProperties(security.certificateClient(WORKER))
                    .s3Endpoint(s3.endpoint())
                    .s3AccessKey(s3.credentials().accessKey())
                    .s3SecretKey(s3.credentials().secretKey())
                    .s3Bucket("sdfleet")
                    .model(CliTest.tinyModel())
                    .threads(1)
                    .jobIntake(intake)
                    .httpPort(0)
                    .build();
            DispatcherConfig dispatcherConfig = DispatcherConfig.builder(kafka.bootstrapServers())
                    .kafkaPropertiesFile(propertiesFile(root, security.scramClient(DISPATCHER, DISPATCHER_PASSWORD)))
                    .instanceId("secured-dispatcher")
                    .stateDir(root.resolve("dispatcher"))
                    .httpHost("127.0.0.1")
                    .httpPort(0)
                    .tenants(Tenants.parse(Tenants.readFile(LocalTenants.ensure(root))))
                    .build();
            String model = ModelSource.idOf(CliTest.tinyModel());
            List<AclBinding> acls = new ArrayList<>();
            acls.addAll(bindings(
                    DISPATCHER,
                    KafkaAccess.dispatcher(topics, dispatcherConfig.controlTopic(), dispatcherConfig.applicationId())));
            acls.addAll(bindings(
                    WORKER, KafkaAccess.worker(topics, model, workerConfig.groupId(), workerConfig.sharedIntake())));
            acls.addAll(bindings(PUBLISHER, KafkaAccess.publisher(topics)));
            kafka.grant(acls);

            // The dispatcher creates every topic itself, under its own grants; the worker comes after, as in a fleet.
            try (Dispatcher dispatcher = Dispatcher.start(dispatcherConfig);
                    Worker worker = new Worker(workerConfig)) {
                worker.start();
                awaitReady(dispatcher);
                String apiKey = LocalTenants.apiKey(root).orElseThrow();
                String posted = post(dispatcher.baseUrl(), apiKey, model);
                String published = publish(kafka, security, topics, model);
                awaitCompleted(dispatcher.baseUrl(), apiKey, posted);
                awaitCompleted(dispatcher.baseUrl(), apiKey, published);

                if (workerConfig.sharedIntake()) {
                    // The worker set its share group's start itself, under its own grants (ALTER_CONFIGS on it).
                    assertEquals("earliest", groupConfig(kafka, workerConfig.groupId(), "share.auto.offset.reset"));
                }
                Map<String, String> asWorker = security.certificateClient(WORKER);
                assertWriteRefused(asWorker, kafka.sslBootstrapServers(), topics.requests());
                assertReadRefused(asWorker, kafka.sslBootstrapServers(), dispatcherConfig.controlTopic());
                assertReadRefused(asWorker, kafka.sslBootstrapServers(), changelogOf(kafka, dispatcherConfig));
                assertWriteRefused(
                        security.scramClient(PUBLISHER, PUBLISHER_PASSWORD),
                        kafka.bootstrapServers(),
                        topics.jobsFor(model));
            }
        }
    }

    /** {@code grants} as Kafka ACLs of {@code User:<user>}, from any host. */
    private static List<AclBinding> bindings(String user, List<KafkaAccess.Grant> grants) {
        return grants.stream()
                .map(grant -> new AclBinding(
                        new ResourcePattern(
                                ResourceType.valueOf(grant.resource().name()),
                                grant.name(),
                                grant.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL),
                        new AccessControlEntry(
                                "User:" + user,
                                "*",
                                AclOperation.valueOf(grant.operation().name()),
                                AclPermissionType.ALLOW)))
                .toList();
    }

    private static Path propertiesFile(Path root, Map<String, String> values) throws Exception {
        Properties properties = new Properties();
        properties.putAll(values);
        Path file = root.resolve("dispatcher-client.properties");
        try (Writer writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "the dispatcher's Kafka client");
        }
        return file;
    }

    private static void awaitReady(Dispatcher dispatcher) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!dispatcher.ready() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(dispatcher.ready(), "the dispatcher's streams did not start on the secured broker");
    }

    private static String post(String base, String apiKey, String model) throws Exception {
        String body = "{\"prompt\": \"a red circle\", \"model\": \"" + model + "\", \"n\": 1, \"steps\": 4}";
        return CliTest.JSON
                .readTree(send(base, apiKey, "POST", "/v1/generations", body))
                .get("id")
                .asText();
    }

    /** A request from an outside service, straight onto the requests topic as the publisher. */
    private static String publish(EmbeddedKafka kafka, KafkaSecurity security, Topics topics, String model)
            throws Exception {
        GenerationRequest request = GenerationRequest.builder("a blue square", model)
                .requestId("kafka-" + UUID.randomUUID())
                .tenant(LocalTenants.TENANT)
                .n(1)
                .steps(4)
                .build();
        try (KafkaProducer<String, byte[]> producer =
                producer(security.scramClient(PUBLISHER, PUBLISHER_PASSWORD), kafka.bootstrapServers())) {
            producer.send(new ProducerRecord<>(topics.requests(), request.requestId(), Codec.encode(request)))
                    .get(30, TimeUnit.SECONDS);
        }
        return request.requestId();
    }

    private static void awaitCompleted(String base, String apiKey, String id) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String status = "";
        while (!status.equals("completed") && !status.equals("failed") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = CliTest.JSON
                    .readTree(send(base, apiKey, "GET", "/v1/generations/" + id, null))
                    .path("status")
                    .asText();
        }
        assertEquals("completed", status, id);
    }

    private static String send(String base, String apiKey, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("authorization", "Bearer " + apiKey)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (method.equals("GET") && response.statusCode() == 404) {
                return "{}"; // a request published on Kafka shows in the API once the dispatcher has read it
            }
            assertEquals(2, response.statusCode() / 100, method + " " + path + ": " + response.body());
            return response.body();
        }
    }

    /** A group's own setting {@code name}, as the super-user sees it. */
    private static String groupConfig(EmbeddedKafka kafka, String group, String name) throws Exception {
        Map<String, Object> props = new HashMap<>(kafka.superUserClient());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        try (Admin admin = Admin.create(props)) {
            return admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource)
                    .get(name)
                    .value();
        }
    }

    /** The dispatcher's state store changelog: a topic Kafka Streams made under its application id. */
    private static String changelogOf(EmbeddedKafka kafka, DispatcherConfig config) throws Exception {
        Map<String, Object> props = new HashMap<>(kafka.superUserClient());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(config.applicationId() + "-") && name.endsWith("-changelog"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no changelog topic of " + config.applicationId()));
        }
    }

    private static void assertWriteRefused(Map<String, String> client, String bootstrap, String topic) {
        try (KafkaProducer<String, byte[]> producer = producer(client, bootstrap)) {
            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "k", new byte[] {1}))
                            .get(30, TimeUnit.SECONDS),
                    "wrote " + topic);
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause(), topic);
        }
    }

    private static void assertReadRefused(Map<String, String> client, String bootstrap, String topic) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            assertThrows(
                    TopicAuthorizationException.class,
                    () -> {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while (System.nanoTime() < deadline) {
                            consumer.poll(Duration.ofMillis(200));
                        }
                    },
                    "read " + topic);
        }
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, String> client, String bootstrap) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
