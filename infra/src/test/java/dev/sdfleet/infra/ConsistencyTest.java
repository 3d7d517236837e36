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

    static int containerPort(String workload, String portName) {
        for (Object o : Manifests.list(Manifests.container(Workloads.find(DOCS, workload)), "ports")) {
            Map<String, Object> port = Manifests.cast(o);
            if (portName.equals(port.get("name"))) {
                return (Integer) port.get("containerPort");
            }
        }
        throw new AssertionError(workload + " has no port named " + portName);
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
    void workerImagesRunWithTheWorkersHeapOptions() {
        for (String file : List.of("docker/worker-cpu.Dockerfile", "docker/worker-gpu.Dockerfile")) {
            List<String> options = List.of(Dockerfile.read(file)
                    .env()
                    .getOrDefault("JAVA_TOOL_OPTIONS", "")
                    .replace("\"", "")
                    .split("\\s+"));
            assertTrue(
                    options.containsAll(dev.sdfleet.worker.WorkerJvm.HEAP),
                    file + " JAVA_TOOL_OPTIONS " + options + " lacks WorkerJvm.HEAP "
                            + dev.sdfleet.worker.WorkerJvm.HEAP);
            assertTrue(
                    options.stream().noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage")),
                    file + ": a heap sized from the container would grow again");
        }
    }

    @Test
    void servicePortsAgreeEverywhere() {
        int worker = Integer.parseInt(WORKER.get("SDFLEET_HTTP_PORT"));
        assertEquals(worker, containerPort("sdfleet-worker", "ops"));
        assertEquals(
                List.of(worker), Dockerfile.read("docker/worker-gpu.Dockerfile").exposedPorts());
        assertEquals(
                List.of(worker), Dockerfile.read("docker/worker-cpu.Dockerfile").exposedPorts());
        assertEquals(
                String.valueOf(worker),
                Dockerfile.read("docker/worker-gpu.Dockerfile").env().get("SDFLEET_HTTP_PORT"));
        assertTrue(Dockerfile.read("docker/worker-gpu.Dockerfile").healthcheck().contains("\"" + worker + "\""));
        int dispatcher = Integer.parseInt(DISPATCHER.get("SDFLEET_HTTP_PORT"));
        int ops = Integer.parseInt(DISPATCHER.get("SDFLEET_OPS_PORT"));
        assertEquals(dispatcher, containerPort("sdfleet-dispatcher", "http"));
        assertEquals(ops, containerPort("sdfleet-dispatcher", "ops"));
        Dockerfile image = Dockerfile.read("docker/dispatcher.Dockerfile");
        assertEquals(List.of(dispatcher, ops), image.exposedPorts());
        assertEquals(String.valueOf(ops), image.env().get("SDFLEET_OPS_PORT"));
        assertTrue(image.healthcheck().contains("\"" + ops + "\""), "the image's health check uses the ops port");
        assertEquals(
                List.of(dispatcher + ":" + dispatcher, ops + ":" + ops),
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
        // KEDA logs in with SCRAM (KafkaUser sdfleet-keda) on the dispatcher's listener; the workers use the mTLS
        // listener of the same brokers.
        assertEquals(DISPATCHER.get("SDFLEET_KAFKA_BOOTSTRAP"), kafkaTrigger().get("bootstrapServers"));
        assertEquals(
                WORKER.get("SDFLEET_KAFKA_BOOTSTRAP").split(":")[0],
                ((String) kafkaTrigger().get("bootstrapServers")).split(":")[0]);
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
    void thePodMonitorScrapesEveryWorkloadOnItsOpsPort() {
        Map<String, Object> monitor =
                Manifests.map(Manifests.find(DOCS, "PodMonitor", "sdfleet").body(), "spec");
        Map<String, Object> selector = Manifests.map(monitor, "selector");
        List<Object> endpoints = Manifests.list(monitor, "podMetricsEndpoints");
        assertEquals(1, endpoints.size());
        assertEquals("ops", Manifests.cast(endpoints.getFirst()).get("port"));
        assertEquals("/metrics", Manifests.cast(endpoints.getFirst()).get("path"));
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            assertTrue(Workloads.selects(selector, Workloads.podLabels(workload)), workload.name() + " is scraped");
            containerPort(workload.name(), "ops");
        }
    }
}
