package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The namespace denies all traffic by default, every workload has policies of its own, and what they open is only
 * what each service needs: workers reach DNS, Kafka and S3 and are reached on their ops port by Prometheus; the
 * dispatcher also reaches webhook receivers (HTTPS) and its peers' API, and its API port is open to the ingress
 * controller and its peers only. Every rule names both its peers and its ports (no "anything on any port").
 */
class NetworkPolicyTest {
    static final List<Manifests.Doc> DOCS = Manifests.kubernetes();
    static final int DNS = 53;
    /** Strimzi's SASL_SSL (SCRAM) and mTLS listeners; no plain one (infra/base/kafka-users.yaml). */
    static final Set<Object> KAFKA_PORTS = Set.of(9093, 9094);

    static List<Map<String, Object>> policies() {
        return DOCS.stream()
                .filter(d -> "NetworkPolicy".equals(d.kind()))
                .map(d -> Manifests.cast(d.body()))
                .toList();
    }

    static Map<String, Object> spec(Map<String, Object> policy) {
        return Manifests.map(policy, "spec");
    }

    static String name(Map<String, Object> policy) {
        return (String) Manifests.map(policy, "metadata").get("name");
    }

    /** The policies that select this workload's pods by its own labels (not the namespace-wide ones). */
    static List<Map<String, Object>> policiesOf(Manifests.Doc workload) {
        return policies().stream()
                .filter(p -> !Workloads.selectsAll(Manifests.map(spec(p), "podSelector")))
                .filter(p -> Workloads.selects(Manifests.map(spec(p), "podSelector"), Workloads.podLabels(workload)))
                .toList();
    }

    /** Every policy that applies to the workload, namespace-wide ones included. */
    static List<Map<String, Object>> applying(Manifests.Doc workload) {
        return policies().stream()
                .filter(p -> Workloads.selects(Manifests.map(spec(p), "podSelector"), Workloads.podLabels(workload)))
                .toList();
    }

    static List<Map<String, Object>> rules(List<Map<String, Object>> policies, String direction) {
        return policies.stream()
                .flatMap(p -> Manifests.list(spec(p), direction).stream())
                .map(Manifests::cast)
                .toList();
    }

    static Set<Object> ports(Map<String, Object> rule) {
        Set<Object> ports = new HashSet<>();
        Manifests.list(rule, "ports").forEach(p -> ports.add(Manifests.cast(p).get("port")));
        return ports;
    }

    @Test
    void theNamespaceDeniesEverythingByDefault() {
        assertTrue(
                policies().stream()
                        .anyMatch(p -> Workloads.selectsAll(Manifests.map(spec(p), "podSelector"))
                                && Manifests.list(spec(p), "policyTypes").containsAll(List.of("Ingress", "Egress"))
                                && Manifests.list(spec(p), "ingress").isEmpty()
                                && Manifests.list(spec(p), "egress").isEmpty()),
                "a default-deny policy: every pod, Ingress and Egress, no rules");
    }

    @Test
    void everyWorkloadHasPoliciesOfItsOwnAndEveryRuleIsNarrow() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            assertFalse(policiesOf(workload).isEmpty(), workload.name() + " is selected by no NetworkPolicy");
            for (String direction : List.of("ingress", "egress")) {
                for (Map<String, Object> rule : rules(applying(workload), direction)) {
                    String peers = "ingress".equals(direction) ? "from" : "to";
                    assertFalse(Manifests.list(rule, peers).isEmpty(), workload.name() + " " + direction + " " + rule);
                    assertFalse(ports(rule).isEmpty(), workload.name() + " " + direction + " on any port: " + rule);
                    for (Object o : Manifests.list(rule, peers)) {
                        Map<String, Object> peer = Manifests.cast(o);
                        if (peer.containsKey("namespaceSelector")) {
                            assertFalse(
                                    Workloads.selectsAll(Manifests.map(peer, "namespaceSelector")),
                                    workload.name() + " " + direction + " from/to every namespace: " + rule);
                        }
                    }
                }
            }
        }
    }

    @Test
    void workersReachDnsKafkaAndS3Only() {
        Manifests.Doc worker = Workloads.find(DOCS, "sdfleet-worker");
        Set<Object> egress = new HashSet<>();
        rules(applying(worker), "egress").forEach(r -> egress.addAll(ports(r)));
        Set<Object> allowed = new HashSet<>(KAFKA_PORTS);
        allowed.add(DNS);
        allowed.add(443); // S3 over HTTPS
        assertTrue(allowed.containsAll(egress), "worker egress ports " + egress);
        assertTrue(egress.contains(DNS) && egress.contains(443) && egress.contains(9094), "worker egress " + egress);
        // Reached only on its ops port (Prometheus): the drain endpoint there is called from inside the pod.
        for (Map<String, Object> rule : rules(applying(worker), "ingress")) {
            assertEquals(Set.of("ops"), ports(rule), "worker ingress " + rule);
        }
    }

    @Test
    void theDispatcherReachesKafkaWebhooksAndItsPeersOnly() {
        Manifests.Doc dispatcher = Workloads.find(DOCS, "sdfleet-dispatcher");
        Set<Object> egress = new HashSet<>();
        rules(applying(dispatcher), "egress").forEach(r -> egress.addAll(ports(r)));
        int api = Integer.parseInt(ConfigKeysTest.kubernetesDispatcher().get("SDFLEET_HTTP_PORT"));
        Set<Object> allowed = new HashSet<>(KAFKA_PORTS);
        allowed.addAll(List.of(DNS, 443, api));
        assertTrue(allowed.containsAll(egress), "dispatcher egress ports " + egress);
        assertTrue(egress.containsAll(List.of(DNS, 443, 9093, api)), "dispatcher egress " + egress);
        // Its egress to its own API port goes to its peers only.
        for (Map<String, Object> rule : rules(applying(dispatcher), "egress")) {
            if (ports(rule).contains(api)) {
                for (Object peer : Manifests.list(rule, "to")) {
                    assertTrue(
                            Workloads.selects(
                                    Manifests.map(Manifests.cast(peer), "podSelector"),
                                    Workloads.podLabels(dispatcher)),
                            "API-port egress only to the dispatcher's peers: " + rule);
                }
            }
        }
    }

    @Test
    void theApiIsOpenToTheIngressControllerAndPeersAndMetricsToPrometheusOnly() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            for (Map<String, Object> rule : rules(applying(workload), "ingress")) {
                Set<Object> ports = ports(rule);
                assertFalse(
                        ports.contains("ops") && ports.size() > 1, "the ops port shares no rule with another: " + rule);
                for (Object o : Manifests.list(rule, "from")) {
                    Map<String, Object> peer = Manifests.cast(o);
                    assertFalse(peer.containsKey("ipBlock"), workload.name() + " ingress from addresses: " + rule);
                    if (ports.contains("ops")) {
                        assertEquals(
                                "monitoring",
                                Manifests.map(peer, "namespaceSelector", "matchLabels")
                                        .get("kubernetes.io/metadata.name"),
                                "the ops port is open to Prometheus' namespace: " + rule);
                    }
                }
                if (!ports.contains("ops")) {
                    assertEquals("sdfleet-dispatcher", workload.name(), "only the dispatcher serves an API: " + rule);
                    assertEquals(Set.of("http"), ports, "the dispatcher's API port: " + rule);
                }
            }
        }
    }

    @Test
    void theKafkaPolicyPointsWhereTheServicesConnect() {
        // SDFLEET_KAFKA_BOOTSTRAP is <service>.<namespace>.svc:<port>: the policy must open that namespace and port.
        String bootstrap = ConfigKeysTest.kubernetesWorker().get("SDFLEET_KAFKA_BOOTSTRAP");
        String host = bootstrap.split(":")[0];
        int port = Integer.parseInt(bootstrap.split(":")[1]);
        String namespace = host.split("\\.")[1];
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            assertTrue(
                    rules(applying(workload), "egress").stream()
                            .anyMatch(rule -> ports(rule).contains(port)
                                    && Manifests.list(rule, "to").stream()
                                            .map(Manifests::cast)
                                            .anyMatch(peer -> peer.containsKey("namespaceSelector")
                                                    && namespace.equals(
                                                            Manifests.map(peer, "namespaceSelector", "matchLabels")
                                                                    .get("kubernetes.io/metadata.name")))),
                    workload.name() + " may reach Kafka at " + bootstrap);
        }
    }
}
