package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * What is exposed and how the dispatcher keeps its state: metrics and health on an ops port apart from the API
 * (probes and scraping there, no Service or Ingress routing to it), the API behind a TLS Ingress, and the dispatcher
 * a StatefulSet whose state dir is a claim template, with static membership, a session timeout that outlasts a
 * restart, a standby replica and an advertised name that survives a restart.
 */
class ExposureTest {
    static final List<Manifests.Doc> DOCS = Manifests.kubernetes();

    static Set<String> containerPortNames(Manifests.Doc workload) {
        Set<String> names = new TreeSet<>();
        Manifests.list(Manifests.container(workload), "ports")
                .forEach(p -> names.add((String) Manifests.cast(p).get("name")));
        return names;
    }

    @Test
    void metricsAndHealthAreOnAPortApartFromTheApi() {
        Map<String, String> env = ConfigKeysTest.kubernetesDispatcher();
        assertNotEquals(env.get("SDFLEET_HTTP_PORT"), env.get("SDFLEET_OPS_PORT"), "SDFLEET_OPS_PORT apart");
        assertTrue(DispatcherConfig.fromEnv(env).opsPort().isPresent(), "the dispatcher reads it as apart");
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            assertTrue(containerPortNames(workload).contains("ops"), workload.name() + " has an ops port");
            Map<String, Object> container = Manifests.container(workload);
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                if (container.containsKey(probe)) {
                    assertEquals(
                            "ops",
                            Manifests.map(container, probe, "httpGet").get("port"),
                            workload.name() + " " + probe + " on the ops port");
                }
            }
        }
        // Callers reach the API through Services and the Ingress: none of them routes to an ops port.
        for (Manifests.Doc service :
                DOCS.stream().filter(d -> "Service".equals(d.kind())).toList()) {
            boolean dispatcher = "sdfleet-dispatcher"
                    .equals(Manifests.map(service.body(), "spec", "selector").get("app.kubernetes.io/name"));
            if (dispatcher) {
                for (Object p : Manifests.list(Manifests.map(service.body(), "spec"), "ports")) {
                    assertEquals("http", Manifests.cast(p).get("targetPort"), service.name() + " routes the API only");
                }
            }
        }
    }

    @Test
    void theApiIsBehindAnIngressWithTls() {
        List<Manifests.Doc> ingresses =
                DOCS.stream().filter(d -> "Ingress".equals(d.kind())).toList();
        assertFalse(ingresses.isEmpty(), "an Ingress for the API");
        for (Manifests.Doc ingress : ingresses) {
            Map<String, Object> spec = Manifests.map(ingress.body(), "spec");
            List<Object> tls = Manifests.list(spec, "tls");
            assertFalse(tls.isEmpty(), ingress.name() + " has tls");
            Set<Object> tlsHosts = new TreeSet<>();
            for (Object t : tls) {
                assertTrue(Manifests.cast(t).get("secretName") instanceof String, ingress.name() + " tls secretName");
                tlsHosts.addAll(Manifests.list(Manifests.cast(t), "hosts"));
            }
            for (Object r : Manifests.list(spec, "rules")) {
                Map<String, Object> rule = Manifests.cast(r);
                assertTrue(
                        tlsHosts.contains(rule.get("host")), ingress.name() + " host " + rule.get("host") + " in tls");
                for (Object p : Manifests.list(Manifests.map(rule, "http"), "paths")) {
                    Map<String, Object> path = Manifests.cast(p);
                    String at = (String) path.get("path");
                    assertTrue(at.startsWith("/v1") || at.equals("/openapi.yaml"), "routes only the API, not " + at);
                    Map<String, Object> backend = Manifests.map(path, "backend", "service");
                    Manifests.Doc service = Manifests.find(DOCS, "Service", (String) backend.get("name"));
                    Object port = Manifests.map(backend, "port").get("name");
                    assertTrue(
                            Manifests.list(Manifests.map(service.body(), "spec"), "ports").stream()
                                    .anyMatch(
                                            sp -> port.equals(Manifests.cast(sp).get("name"))),
                            ingress.name() + " backend port " + port + " on " + service.name());
                }
            }
        }
    }

    @Test
    void theDispatcherIsAStatefulSetWithItsStateOnAClaim() {
        Manifests.Doc dispatcher = Manifests.find(DOCS, "StatefulSet", "sdfleet-dispatcher");
        Map<String, Object> spec = Manifests.map(dispatcher.body(), "spec");
        Map<String, String> env = ConfigKeysTest.kubernetesDispatcher();
        List<Object> claims = Manifests.list(spec, "volumeClaimTemplates");
        assertEquals(1, claims.size());
        String claim = (String)
                Manifests.map(Manifests.cast(claims.getFirst()), "metadata").get("name");
        assertTrue(
                Manifests.list(Manifests.container(dispatcher), "volumeMounts").stream()
                        .map(Manifests::cast)
                        .anyMatch(m -> claim.equals(m.get("name"))
                                && env.get("SDFLEET_STATE_DIR").equals(m.get("mountPath"))),
                "SDFLEET_STATE_DIR is the claim's mount");
        // The headless Service the StatefulSet names gives each pod the stable DNS name it advertises.
        Manifests.Doc peers = Manifests.find(DOCS, "Service", (String) spec.get("serviceName"));
        assertEquals("None", Manifests.map(peers.body(), "spec").get("clusterIP"));
        assertEquals(true, Manifests.map(peers.body(), "spec").get("publishNotReadyAddresses"));
        assertEquals("$(SDFLEET_DISPATCHER_ID)." + peers.name(), env.get("SDFLEET_ADVERTISED_HOST"));
        Map<String, Object> hpa = Manifests.map(
                Manifests.find(DOCS, "HorizontalPodAutoscaler", "sdfleet-dispatcher")
                        .body(),
                "spec",
                "scaleTargetRef");
        assertEquals("StatefulSet", hpa.get("kind"));
    }

    @Test
    void theDispatcherJoinsAsAStaticMemberWithAStandby() throws Exception {
        Manifests.Doc dispatcher = Manifests.find(DOCS, "StatefulSet", "sdfleet-dispatcher");
        Map<String, String> env = new LinkedHashMap<>(ConfigKeysTest.kubernetesDispatcher());
        String pod = "sdfleet-dispatcher-1";
        env.put("SDFLEET_DISPATCHER_ID", pod); // metadata.name of a StatefulSet pod
        env.put("SDFLEET_ADVERTISED_HOST", env.get("SDFLEET_ADVERTISED_HOST").replace("$(SDFLEET_DISPATCHER_ID)", pod));
        Map<String, Object> idFrom = Manifests.list(Manifests.container(dispatcher), "env").stream()
                .map(Manifests::cast)
                .filter(e -> "SDFLEET_DISPATCHER_ID".equals(e.get("name")))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "metadata.name", Manifests.map(idFrom, "valueFrom", "fieldRef").get("fieldPath"));

        // Kubernetes expands $(VAR) from the entries before it: the SCRAM login from the KafkaUser's Secret.
        env.put(
                "SDFLEET_KAFKA_PROPERTIES",
                env.get("SDFLEET_KAFKA_PROPERTIES")
                        .replace("$(KAFKA_SASL_JAAS_CONFIG)", env.get("KAFKA_SASL_JAAS_CONFIG")));
        // The client properties file as the pod sees it: the ConfigMap's entry, mounted.
        Path mounted = Path.of(env.get("SDFLEET_KAFKA_PROPERTIES_FILE"));
        Path file = Files.writeString(Files.createTempFile("kafka-client-", ".properties"), (String) Manifests.map(
                        Manifests.find(DOCS, "ConfigMap", "sdfleet-kafka-client")
                                .body(),
                        "data")
                .get(mounted.getFileName().toString()));
        env.put("SDFLEET_KAFKA_PROPERTIES_FILE", file.toString());

        DispatcherConfig config = DispatcherConfig.fromEnv(env);
        Properties props = StreamsRunner.properties(config, new HostInfo(config.advertisedHost(), config.httpPort()));
        Files.delete(file);
        assertEquals(pod, props.get(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)));
        // The Streams app logs in as the dispatcher's KafkaUser: the file's protocol, the Secret's login.
        assertEquals("SASL_SSL", props.get("security.protocol"));
        assertEquals("(secret sdfleet-dispatcher key sasl.jaas.config)", props.get("sasl.jaas.config"));
        int replicas = (Integer) Manifests.map(dispatcher.body(), "spec").get("replicas");
        int standby = config.standbyReplicas();
        assertTrue(
                standby >= 1 && standby < replicas, "standby replicas " + standby + " for " + replicas + " instances");
        // The session must outlast a restart: the old pod's graceful stop, then the new one's start.
        int grace = (Integer) Workloads.podSpec(dispatcher).get("terminationGracePeriodSeconds");
        Duration session = config.sessionTimeout();
        assertTrue(
                session.compareTo(Duration.ofSeconds(grace + 30)) >= 0,
                "session timeout " + session + " outlasts a stop of up to " + grace + " s and a start");
        assertEquals("Parallel", Manifests.map(dispatcher.body(), "spec").get("podManagementPolicy"));
    }
}
