package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.protocol.KafkaAccess;
import dev.sdfleet.worker.config.WorkerConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Strimzi {@code KafkaUser} manifests grant each party exactly what the code needs ({@link KafkaAccess}, computed
 * from the settings the manifests give the services), no more and no less; every Kafka trigger of KEDA logs in; and
 * the services get their Kafka client properties and the credentials of their own user.
 */
class KafkaAclsTest {
    static final List<Manifests.Doc> DOCS = ConfigKeysTest.DOCS;
    static final WorkerConfig WORKER = WorkerConfig.fromEnv(ConfigKeysTest.kubernetesWorker());
    static final DispatcherConfig DISPATCHER = DispatcherConfig.fromEnv(ConfigKeysTest.kubernetesDispatcher());
    static final String WORKER_USER = "sdfleet-worker-" + WORKER.modelId();

    /** Each KafkaUser and the grants the code needs for it. */
    static Map<String, List<KafkaAccess.Grant>> needed() {
        return Map.of(
                "sdfleet-dispatcher",
                KafkaAccess.dispatcher(DISPATCHER.topics(), DISPATCHER.controlTopic(), DISPATCHER.applicationId()),
                WORKER_USER,
                KafkaAccess.worker(DISPATCHER.topics(), WORKER.modelId(), WORKER.groupId()),
                "sdfleet-keda",
                KafkaAccess.autoscaler(DISPATCHER.topics(), WORKER.modelId(), WORKER.groupId()),
                "sdfleet-publisher",
                KafkaAccess.publisher(DISPATCHER.topics()));
    }

    static List<Manifests.Doc> users() {
        return DOCS.stream().filter(d -> "KafkaUser".equals(d.kind())).toList();
    }

    @Test
    void everyKafkaUserHasExactlyTheGrantsTheCodeNeeds() {
        Set<String> names = users().stream().map(Manifests.Doc::name).collect(Collectors.toSet());
        assertEquals(needed().keySet(), names, "KafkaUsers in infra/");
        for (Manifests.Doc user : users()) {
            assertEquals(
                    asText(needed().get(user.name())), asText(granted(user)), user.name() + " (" + user.file() + ")");
        }
    }

    @Test
    void everyUserAuthenticatesAndIsAuthorizedByAcls() {
        for (Manifests.Doc user : users()) {
            Map<String, Object> spec = Manifests.map(user.body(), "spec");
            String type = (String) Manifests.map(spec, "authentication").get("type");
            assertTrue(Set.of("scram-sha-512", "tls").contains(type), user.name() + " authentication " + type);
            assertEquals("simple", Manifests.map(spec, "authorization").get("type"), user.name());
        }
        // The workers use their client certificate (the mTLS listener); the rest SCRAM.
        assertEquals("tls", authentication(WORKER_USER));
        assertEquals("scram-sha-512", authentication("sdfleet-dispatcher"));
    }

    @Test
    void everyKafkaTriggerOfKedaLogsInAsTheAutoscalerUser() {
        List<Map<String, Object>> triggers = DOCS.stream()
                .filter(d -> "ScaledObject".equals(d.kind()))
                .flatMap(d -> Manifests.list(Manifests.map(d.body(), "spec"), "triggers").stream())
                .map(Manifests::cast)
                .filter(t -> "kafka".equals(t.get("type")))
                .toList();
        assertFalse(triggers.isEmpty(), "no Kafka trigger found");
        for (Map<String, Object> trigger : triggers) {
            String name = (String) Manifests.map(trigger, "authenticationRef").get("name");
            Map<String, String> secretOf = Manifests.list(
                            Manifests.map(
                                    Manifests.find(DOCS, "TriggerAuthentication", name)
                                            .body(),
                                    "spec"),
                            "secretTargetRef")
                    .stream()
                    .map(Manifests::cast)
                    .collect(Collectors.toMap(
                            r -> (String) r.get("parameter"), r -> r.get("name") + "/" + r.get("key")));
            assertTrue(
                    secretOf.keySet().containsAll(Set.of("sasl", "username", "password", "tls", "ca")),
                    name + " gives " + secretOf.keySet());
            Map<String, Object> login = Manifests.map(
                    Manifests.find(DOCS, "Secret", secretOf.get("username").split("/")[0])
                            .body(),
                    "stringData");
            assertEquals("scram_sha512", login.get("sasl"));
            assertEquals("enable", login.get("tls"));
            assertEquals("sdfleet-keda", login.get("username"));
            assertEquals("sdfleet-keda/password", secretOf.get("password"), "the password of Strimzi's Secret");
        }
    }

    @Test
    void theServicesMountTheirClientPropertiesAndUseTheirOwnUsersSecret() {
        assertMounted(
                "sdfleet-dispatcher",
                DISPATCHER.get(DispatcherConfig.KAFKA_PROPERTIES_FILE).toString());
        assertMounted(
                "sdfleet-worker", WORKER.get(WorkerConfig.KAFKA_PROPERTIES_FILE).toString());
        assertTrue(
                ConfigKeysTest.kubernetesDispatcher().containsValue("(secret sdfleet-dispatcher key sasl.jaas.config)"),
                "the dispatcher's SCRAM login comes from its KafkaUser's Secret");
        assertTrue(
                ConfigKeysTest.kubernetesWorker().containsValue("(secret " + WORKER_USER + " key user.password)"),
                "the worker's keystore password comes from its KafkaUser's Secret");
    }

    /** The file lies in a volume the workload's container mounts from the client properties ConfigMap. */
    private static void assertMounted(String workload, String file) {
        Manifests.Doc doc = Workloads.find(DOCS, workload);
        Map<String, Object> podSpec = Workloads.podSpec(doc);
        String volume = Manifests.list(podSpec, "volumes").stream()
                .map(Manifests::cast)
                .filter(v -> v.containsKey("configMap")
                        && "sdfleet-kafka-client"
                                .equals(Manifests.map(v, "configMap").get("name")))
                .map(v -> (String) v.get("name"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(workload + " has no volume of ConfigMap sdfleet-kafka-client"));
        String mountPath = Manifests.list(Manifests.container(doc), "volumeMounts").stream()
                .map(Manifests::cast)
                .filter(m -> volume.equals(m.get("name")))
                .map(m -> (String) m.get("mountPath"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(workload + " does not mount " + volume));
        assertTrue(file.startsWith(mountPath + "/"), workload + ": " + file + " is not under " + mountPath);
        String key = file.substring(mountPath.length() + 1);
        assertTrue(
                Manifests.map(
                                Manifests.find(DOCS, "ConfigMap", "sdfleet-kafka-client")
                                        .body(),
                                "data")
                        .containsKey(key),
                "sdfleet-kafka-client has no " + key);
    }

    private static String authentication(String user) {
        return (String) Manifests.map(Manifests.find(DOCS, "KafkaUser", user).body(), "spec", "authentication")
                .get("type");
    }

    /** A KafkaUser's ACLs, one grant per operation, in KafkaAccess's words. */
    static List<KafkaAccess.Grant> granted(Manifests.Doc user) {
        return Manifests.list(Manifests.map(user.body(), "spec", "authorization"), "acls").stream()
                .map(Manifests::cast)
                .flatMap(acl -> {
                    Map<String, Object> resource = Manifests.map(acl, "resource");
                    assertEquals("*", acl.getOrDefault("host", "*"), user.name() + ": any host");
                    assertEquals("allow", acl.getOrDefault("type", "allow"), user.name() + ": allow rules only");
                    return Manifests.list(acl, "operations").stream()
                            .map(op -> new KafkaAccess.Grant(
                                    resourceType((String) resource.get("type")),
                                    (String) resource.get("name"),
                                    "prefix".equals(resource.get("patternType")),
                                    KafkaAccess.Operation.valueOf(((String) op).toUpperCase(Locale.ROOT))));
                })
                .toList();
    }

    private static KafkaAccess.Resource resourceType(String strimzi) {
        return switch (strimzi) {
            case "topic" -> KafkaAccess.Resource.TOPIC;
            case "group" -> KafkaAccess.Resource.GROUP;
            case "transactionalId" -> KafkaAccess.Resource.TRANSACTIONAL_ID;
            default -> throw new AssertionError("a grant on " + strimzi + " is more than the code needs");
        };
    }

    private static Set<String> asText(List<KafkaAccess.Grant> grants) {
        return grants.stream().map(KafkaAccess.Grant::toString).collect(Collectors.toCollection(TreeSet::new));
    }
}
