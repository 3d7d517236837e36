package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.protocol.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What must agree across files: ports, topic names, partitions, the consumer group, the drain bound. */
class ConsistencyTest {
    static final List<Manifests.Doc> DOCS = ConfigKeysTest.DOCS;
    static final Map<String, String> WORKER = ConfigKeysTest.kubernetesWorker();
    static final Map<String, String> DISPATCHER = ConfigKeysTest.kubernetesDispatcher();

    static int containerPort(String deployment, String portName) {
        for (Object o : Manifests.list(Manifests.container(Manifests.find(DOCS, "Deployment", deployment)), "ports")) {
            Map<String, Object> port = Manifests.cast(o);
            if (portName.equals(port.get("name"))) {
                return (Integer) port.get("containerPort");
            }
        }
        throw new AssertionError(deployment + " has no port named " + portName);
    }

    static int partitions(String topic) {
        return (Integer) Manifests.map(Manifests.find(DOCS, "KafkaTopic", topic).body(), "spec")
                .get("partitions");
    }

    static Map<String, Object> kafkaTrigger() {
        Map<String, Object> scaled =
                Manifests.find(DOCS, "ScaledObject", "sdfleet-worker").body();
        Map<String, Object> trigger = Manifests.cast(
                Manifests.list(Manifests.map(scaled, "spec"), "triggers").getFirst());
        assertEquals("kafka", trigger.get("type"));
        return Manifests.map(trigger, "metadata");
    }

    @Test
    void servicePortsAgreeEverywhere() {
        int worker = Integer.parseInt(WORKER.get("SDFLEET_HTTP_PORT"));
        assertEquals(worker, containerPort("sdfleet-worker", "http"));
        assertEquals(
                List.of(worker), Dockerfile.read("docker/worker-gpu.Dockerfile").exposedPorts());
        assertEquals(
                List.of(worker), Dockerfile.read("docker/worker-cpu.Dockerfile").exposedPorts());
        assertEquals(
                String.valueOf(worker),
                Dockerfile.read("docker/worker-gpu.Dockerfile").env().get("SDFLEET_HTTP_PORT"));
        assertTrue(Dockerfile.read("docker/worker-gpu.Dockerfile").healthcheck().contains("\"" + worker + "\""));
        int dispatcher = Integer.parseInt(DISPATCHER.get("SDFLEET_HTTP_PORT"));
        assertEquals(dispatcher, containerPort("sdfleet-dispatcher", "http"));
        assertEquals(
                List.of(dispatcher),
                Dockerfile.read("docker/dispatcher.Dockerfile").exposedPorts());
        assertTrue(Dockerfile.read("docker/dispatcher.Dockerfile").healthcheck().contains("\"" + dispatcher + "\""));
        assertEquals(
                List.of(dispatcher + ":" + dispatcher),
                Manifests.list(Manifests.map(Manifests.compose(), "services", "dispatcher"), "ports"));
        assertEquals(
                List.of(worker + ":" + worker),
                Manifests.list(Manifests.map(Manifests.compose(), "services", "worker"), "ports"));
    }

    @Test
    void topicsAreTheProtocolsNamesUnderTheConfiguredPrefix() {
        Topics topics = Topics.withPrefix(WORKER.get("SDFLEET_TOPIC_PREFIX")).forModel(WORKER.get("SDFLEET_MODEL_ID"));
        Set<String> declared = DOCS.stream()
                .filter(d -> "KafkaTopic".equals(d.kind()))
                .map(Manifests.Doc::name)
                .collect(Collectors.toSet());
        assertTrue(declared.containsAll(topics.all()), "declared " + declared + ", protocol " + topics.all());
        List<String> lanes =
                Topics.withPrefix(WORKER.get("SDFLEET_TOPIC_PREFIX")).jobLanesFor(WORKER.get("SDFLEET_MODEL_ID"));
        assertTrue(declared.containsAll(lanes), "declared " + declared + ", lanes " + lanes);
        assertNull(kafkaTrigger().get("topic"), "KEDA sums the lag of every lane the group reads");
    }

    @Test
    void theDispatcherServesTheWorkersModel() {
        assertTrue(
                DispatcherConfig.fromEnv(ConfigKeysTest.kubernetesDispatcher())
                        .models()
                        .find(WORKER.get("SDFLEET_MODEL_ID"))
                        .isPresent(),
                "SDFLEET_MODELS lists " + WORKER.get("SDFLEET_MODEL_ID"));
    }

    @Test
    void kedaWatchesTheWorkersGroupOnTheWorkersBroker() {
        assertEquals(WORKER.get("SDFLEET_KAFKA_GROUP"), kafkaTrigger().get("consumerGroup"));
        assertEquals(WORKER.get("SDFLEET_KAFKA_BOOTSTRAP"), kafkaTrigger().get("bootstrapServers"));
    }

    @Test
    void noMoreWorkersThanJobPartitions() {
        Map<String, Object> scaled = Manifests.map(
                Manifests.find(DOCS, "ScaledObject", "sdfleet-worker").body(), "spec");
        int maxWorkers = (Integer) scaled.get("maxReplicaCount");
        assertTrue(
                partitions(Topics.defaults().jobsFor(WORKER.get("SDFLEET_MODEL_ID"))) >= maxWorkers,
                "jobs has " + partitions(Topics.defaults().jobsFor(WORKER.get("SDFLEET_MODEL_ID")))
                        + " partitions for up to " + maxWorkers
                        + " workers");
    }

    @Test
    void theDispatchersInputsAreCoPartitioned() {
        int configured = Integer.parseInt(DISPATCHER.get("SDFLEET_PARTITIONS"));
        Topics topics = Topics.defaults();
        for (String input :
                List.of(topics.requests(), topics.results(), topics.cancels(), "sdfleet.dispatcher.control")) {
            assertEquals(configured, partitions(input), input + " must have SDFLEET_PARTITIONS partitions");
        }
    }

    @Test
    void aStoppingWorkerGetsItsDrainBoundBeforeItIsKilled() {
        long drainSeconds = Long.parseLong(WORKER.get("SDFLEET_DRAIN_TIMEOUT_MS")) / 1000;
        Map<String, Object> pod = Manifests.map(
                Manifests.find(DOCS, "Deployment", "sdfleet-worker").body(), "spec", "template", "spec");
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        assertTrue(grace >= drainSeconds + 10, "grace " + grace + " s for a drain of " + drainSeconds + " s");
        Map<String, Object> preStop = Manifests.map(
                Manifests.container(Manifests.find(DOCS, "Deployment", "sdfleet-worker")),
                "lifecycle",
                "preStop",
                "exec");
        String script = (String) Manifests.list(preStop, "command").getFirst();
        assertTrue(
                Dockerfile.read("docker/worker-gpu.Dockerfile").contextSources().contains("docker/drain.sh")
                        && script.endsWith("/drain.sh"),
                "preStop runs the drain script the image carries");

        long cpuDrain = Long.parseLong(ConfigKeysTest.cpuOverlayWorker().get("SDFLEET_DRAIN_TIMEOUT_MS")) / 1000;
        String overlay = Repo.read("infra/overlays/cpu-tiny/kustomization.yaml");
        int cpuGrace =
                Integer.parseInt(overlay.replaceAll("(?s).*terminationGracePeriodSeconds\\s+value: (\\d+).*", "$1"));
        assertTrue(cpuGrace >= cpuDrain + 10, "cpu-tiny grace " + cpuGrace + " s for a drain of " + cpuDrain + " s");

        long composeDrain = Long.parseLong(ConfigKeysTest.composeWorker().get("SDFLEET_DRAIN_TIMEOUT_MS")) / 1000;
        String stop = (String)
                Manifests.map(Manifests.compose(), "services", "worker").get("stop_grace_period");
        assertTrue(Long.parseLong(stop.replace("s", "")) >= composeDrain + 5, "compose stop_grace_period " + stop);
    }

    @Test
    void theServiceMonitorSelectsBothServicesOnTheirHttpPort() {
        Map<String, Object> monitor =
                Manifests.map(Manifests.find(DOCS, "ServiceMonitor", "sdfleet").body(), "spec");
        Map<String, Object> selector = Manifests.map(monitor, "selector", "matchLabels");
        String port = (String)
                Manifests.cast(Manifests.list(monitor, "endpoints").getFirst()).get("port");
        for (String service : List.of("sdfleet-worker", "sdfleet-dispatcher")) {
            Map<String, Object> svc = Manifests.find(DOCS, "Service", service).body();
            Map<String, Object> labels = Manifests.map(svc, "metadata", "labels");
            selector.forEach((k, v) -> assertEquals(v, labels.get(k), service + " label " + k));
            assertTrue(
                    Manifests.list(Manifests.map(svc, "spec"), "ports").stream()
                            .anyMatch(p -> port.equals(Manifests.cast(p).get("name"))),
                    service + " has port " + port);
        }
    }
}
