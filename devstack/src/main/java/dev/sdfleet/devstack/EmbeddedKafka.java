package dev.sdfleet.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka 4.x broker running in this JVM: one KRaft node that is both broker and controller, listening on
 * 127.0.0.1 only. Start it with {@link #builder()}; {@link #close()} stops it and removes its data folder if the
 * folder was a temporary one. A given data folder is formatted only when it is new, so a broker restarted on the
 * same folder keeps its topics and records.
 *
 * <p>With {@link Builder#security(KafkaSecurity)} the broker is secured instead: SASL_SSL (SCRAM-SHA-512) on
 * {@link #port()}, SSL with client certificates on {@link #sslBootstrapServers()} when the security has certificate users, the
 * StandardAuthorizer denying whatever no ACL allows; {@link #addScramUser} and {@link #grant} set up users and ACLs as
 * the super-user.
 *
 * <p>The server is {@code kafka.server.KafkaRaftServer}, which is what {@code kafka.Kafka} runs; no test kit is used
 * (its close is not idempotent and it always takes temporary folders).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /*
     * A broker's fatal faults call Kafka's Exit.exit/halt, which end the whole JVM: a test fork would vanish without a
     * word ("the forked VM terminated without saying goodbye"), the local fleet with it. Embedded, the broker lives in
     * someone else's JVM, so the request is logged and thrown in the broker's thread instead. Once per JVM, when this
     * class loads, before its first broker starts.
     */
    static {
        org.apache.kafka.common.utils.Exit.setExitProcedure((status, message) -> refuseTo("exit", status, message));
        org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) -> refuseTo("halt", status, message));
    }

    private static void refuseTo(String what, int status, String message) {
        // Kafka's fatal-fault handler passes no message: it logged the fault and its cause just before.
        String why = message != null ? message : "see the broker's \"Encountered fatal fault\" log just before";
        LOG.error("The embedded Kafka broker asked to {} the JVM with status {}: {}", what, status, why);
        throw new IllegalStateException("embedded Kafka broker: " + what + "(" + status + "): " + why);
    }

    private static final int NODE_ID = 1;
    private static final long READY_TIMEOUT_SECONDS = 30;

    private final KafkaRaftServer server;
    private final int port;
    private final int sslPort;
    private final int controllerPort;
    private final KafkaSecurity security;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final Duration startTime;
    private final Builder settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(Builder builder) {
        this(builder, null);
    }

    /** A broker from {@code builder}; {@code before} (or null) is the stopped broker whose ports and folder it takes. */
    private EmbeddedKafka(Builder builder, EmbeddedKafka before) {
        long started = System.nanoTime();
        this.settings = builder;
        this.security = builder.security;
        this.port = before != null ? before.port : FreePorts.orPick(builder.port);
        this.controllerPort = before != null
                ? before.controllerPort
                : builder.controllerPort != 0 ? builder.controllerPort : freePortOtherThan(port);
        this.sslPort = before != null
                ? before.sslPort
                : security != null && security.hasCertificateUsers() ? freePortOtherThan(port, controllerPort) : 0;
        // Checked up front: a bind failure inside Kafka comes after the format, as a 100-line fatal-error log.
        FreePorts.requireFree(port, "Kafka");
        FreePorts.requireFree(controllerPort, "Kafka controller");
        this.temporaryDataDir = before != null ? before.temporaryDataDir : builder.dataDir == null;
        this.dataDir =
                before != null ? before.dataDir : temporaryDataDir ? createTempDir() : createDirs(builder.dataDir);
        Properties props = serverProperties(builder);
        long formatMillis = 0;
        try {
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                long formatStarted = System.nanoTime();
                format(props);
                formatMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - formatStarted);
            }
            this.server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            awaitReady();
        } catch (RuntimeException | Error e) {
            try {
                closeQuietly();
            } catch (RuntimeException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
        this.startTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info(
                "Kafka broker ready on {} in {} ms, format {} ms (data {})",
                bootstrapServers(),
                startTime.toMillis(),
                formatMillis,
                dataDir);
    }

    /** Starts configuring a broker; every setting has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A broker on free ports with a temporary data folder. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The client port: PLAINTEXT, or SASL_SSL when secured. */
    public int port() {
        return port;
    }

    /** The {@code bootstrap.servers} of the SSL (client certificate) listener; secured brokers with certificate users only. */
    public String sslBootstrapServers() {
        if (sslPort == 0) {
            throw new IllegalStateException("this broker has no SSL listener");
        }
        return "127.0.0.1:" + sslPort;
    }

    /** The client properties of a user who may do anything: none when the broker is not secured. */
    public Map<String, String> superUserClient() {
        return security == null ? Map.of() : security.superUserClient();
    }

    /**
     * Creates (or changes the password of) a SCRAM-SHA-512 user and waits until the broker knows it.
     *
     * @throws IllegalStateException when the broker is not secured or refuses
     */
    public void addScramUser(String user, String password) {
        requireSecured();
        try (Admin admin = KafkaTopics.admin(bootstrapServers(), superUserClient())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all()
                    .get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // The controller acknowledges before the broker has the credential: a login right away could fail.
            awaitTrue(() -> admin.describeUserScramCredentials(List.of(user))
                    .all()
                    .get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .containsKey(user));
        } catch (Exception e) {
            throw failure("adding SCRAM user " + user, e);
        }
    }

    /**
     * Creates the ACLs and waits until the broker's authorizer applies them.
     *
     * @throws IllegalStateException when the broker is not secured or refuses
     */
    public void grant(Collection<AclBinding> acls) {
        requireSecured();
        try (Admin admin = KafkaTopics.admin(bootstrapServers(), superUserClient())) {
            admin.createAcls(acls).all().get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            awaitTrue(() -> admin.describeAcls(AclBindingFilter.ANY)
                    .values()
                    .get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .containsAll(acls));
        } catch (Exception e) {
            throw failure("granting " + acls.size() + " ACLs", e);
        }
    }

    private void requireSecured() {
        if (security == null) {
            throw new IllegalStateException("the broker is not secured (EmbeddedKafka.Builder.security)");
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("not applied within " + READY_TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(20);
        }
    }

    private static IllegalStateException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(what + " failed: " + e, e);
    }

    /** The KRaft controller port; clients never need it. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The log folder (also holds the KRaft metadata log). */
    public Path dataDir() {
        return dataDir;
    }

    /** Wall time from the constructor call to the first answer of the broker, format included. */
    public Duration startTime() {
        return startTime;
    }

    /** Creates the topics that are missing and grows those with fewer partitions; replication factor 1. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        KafkaTopics.create(bootstrapServers(), superUserClient(), partitionsByTopic);
    }

    /**
     * Stops this broker, waits {@code down}, and starts it again on the same ports, folder and security, as an
     * operator's restart would: topics, records, committed offsets and transaction state survive, and clients that
     * were connected reconnect on their own. This object stays closed; use the one returned.
     */
    public EmbeddedKafka restart(Duration down) throws InterruptedException {
        if (!closed.compareAndSet(false, true)) {
            throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " is closed");
        }
        long started = System.nanoTime();
        stopServer();
        LOG.info(
                "Kafka broker on {} stopped for a restart in {} ms; down for {} ms",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                down.toMillis());
        Thread.sleep(down.toMillis());
        return new EmbeddedKafka(settings, this);
    }

    /** Stops the broker and waits for it; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long started = System.nanoTime();
            closeQuietly();
            LOG.info(
                    "Kafka broker on {} stopped in {} ms",
                    bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    private void closeQuietly() {
        stopServer();
        if (temporaryDataDir) {
            Folders.deleteRecursively(dataDir);
        }
    }

    private void stopServer() {
        // server is null when the constructor failed before creating it.
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private Properties serverProperties(Builder builder) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // A static voter set (not --standalone + quorum bootstrap servers): nothing about the controller endpoint is
        // written into the metadata log, so a restart on the same folder may use another controller port.
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        if (security == null) {
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            String clients = "SASL_SSL://127.0.0.1:" + port + (sslPort == 0 ? "" : ",SSL://127.0.0.1:" + sslPort);
            props.put("listeners", clients + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", clients);
            props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:SASL_PLAINTEXT");
            props.putAll(security.brokerProperties());
        }
        props.put("log.dirs", dataDir.toAbsolutePath().toString());
        props.put("num.partitions", String.valueOf(builder.numPartitions));
        // One broker: every internal topic must have replication factor 1, or consumer groups never form.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "8");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Tests and a local fleet want a group to form at once, not after the default 3 s wait.
        props.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB cleaner buffer lives on the heap: 2 MiB brings the heap from ~164 to ~36 MiB.
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.putAll(builder.extraProperties);
        return props;
    }

    private void format(Properties props) {
        Path config = null;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            config = Files.createTempFile("sdfleet-kafka-", ".properties");
            try (var writer = Files.newBufferedWriter(config)) {
                props.store(writer, "sdfleet embedded Kafka (format only)");
            }
            String clusterId = Uuid.randomUuid().toString();
            int status;
            // StorageTool returns a status instead of calling System.exit; its chatter goes to a buffer.
            try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", config.toString()));
                if (security != null) {
                    // The super-user must exist before the broker starts: it is how the broker talks to itself.
                    args.addAll(List.of("--add-scram", security.superUserScram()));
                }
                status = StorageTool.execute(args.toArray(String[]::new), printStream);
            }
            if (status != 0) {
                throw new IllegalStateException(
                        "Kafka storage format failed (" + status + "): " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Folders.deleteQuietly(config);
        }
    }

    /** startup() returns once the broker is unfenced; one metadata round trip proves clients get answers. */
    private void awaitReady() {
        try (Admin admin = KafkaTopics.admin(bootstrapServers(), superUserClient())) {
            admin.describeCluster().nodes().get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " did not answer", e);
        }
    }

    private static int freePortOtherThan(int... taken) {
        while (true) {
            int candidate = FreePorts.pick();
            if (Arrays.stream(taken).noneMatch(port -> port == candidate)) {
                return candidate;
            }
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("sdfleet-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings for {@link EmbeddedKafka}. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        private int numPartitions = 1;
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private KafkaSecurity security;

        private Builder() {}

        /**
         * Secures the broker with these certificates and credentials (SASL_SSL, SSL with client certificates, ACLs);
         * the caller closes {@code security} after the broker. Null (the default): PLAINTEXT, no ACLs. The super-user's
         * credential is written when the folder is formatted: a kept data folder needs the same {@code security} again.
         */
        public Builder security(KafkaSecurity security) {
            this.security = security;
            return this;
        }

        /** Client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Controller port; 0 (the default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Log folder to use and keep; {@code null} (the default) means a temporary folder removed on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Partition count of auto-created topics (broker {@code num.partitions}); default 1. */
        public Builder numPartitions(int numPartitions) {
            if (numPartitions < 1) {
                throw new IllegalArgumentException("numPartitions must be >= 1: " + numPartitions);
            }
            this.numPartitions = numPartitions;
            return this;
        }

        /** Any other broker setting; it overrides the defaults of this class. */
        public Builder property(String name, String value) {
            extraProperties.put(name, value);
            return this;
        }

        /** Formats the folder if new, starts the broker and waits until it answers. */
        public EmbeddedKafka start() {
            return new EmbeddedKafka(this);
        }
    }
}
