package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.worker.config.WorkerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every {@code SDFLEET_*} variable a deployment sets is one the service reads (a typo is otherwise silently a
 * default), and every variable a real deployment must set is set. What a service reads is its declared settings
 * ({@code WorkerConfig.SETTINGS}, {@code DispatcherConfig.SETTINGS}).
 */
class ConfigKeysTest {
    /** Variables whose defaults only suit a laptop (localhost Kafka, no bucket, no model, no credentials). */
    static final Set<String> WORKER_MUST_SET = Set.of(
            "SDFLEET_KAFKA_BOOTSTRAP",
            "SDFLEET_KAFKA_GROUP",
            "SDFLEET_S3_BUCKET",
            "SDFLEET_S3_ACCESS_KEY",
            "SDFLEET_S3_SECRET_KEY",
            "SDFLEET_MODEL",
            "SDFLEET_MODEL_ID",
            "SDFLEET_HTTP_PORT",
            "SDFLEET_DRAIN_TIMEOUT_MS");

    static final Set<String> DISPATCHER_MUST_SET = Set.of(
            "SDFLEET_KAFKA_BOOTSTRAP",
            "SDFLEET_TENANTS",
            "SDFLEET_ADVERTISED_HOST",
            "SDFLEET_STATE_DIR",
            "SDFLEET_HTTP_PORT");

    static final List<Manifests.Doc> DOCS = Manifests.kubernetes();

    static Map<String, String> kubernetesWorker() {
        return Manifests.environment(DOCS, Manifests.find(DOCS, "Deployment", "sdfleet-worker"));
    }

    static Map<String, String> kubernetesDispatcher() {
        return Manifests.environment(DOCS, Manifests.find(DOCS, "StatefulSet", "sdfleet-dispatcher"));
    }

    static Map<String, String> composeWorker() {
        Map<String, String> env = new LinkedHashMap<>(
                Dockerfile.read("docker/worker-cpu.Dockerfile").env());
        env.putAll(Manifests.composeEnvironment("worker"));
        return env;
    }

    static Map<String, String> composeDispatcher() {
        Map<String, String> env = new LinkedHashMap<>(
                Dockerfile.read("docker/dispatcher.Dockerfile").env());
        env.putAll(Manifests.composeEnvironment("dispatcher"));
        return env;
    }

    static Map<String, String> cpuOverlayWorker() {
        Manifests.Doc overlay = Manifests.load(Repo.path("infra/overlays/cpu-tiny/kustomization.yaml"))
                .getFirst();
        return Manifests.generatorLiterals(overlay, "sdfleet-worker");
    }

    static void onlyKnownKeys(String where, Map<String, String> env, Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        env.keySet().stream()
                .filter(k -> k.startsWith("SDFLEET_"))
                .filter(k -> !known.contains(k))
                .forEach(unknown::add);
        assertTrue(unknown.isEmpty(), where + " sets variables the service never reads: " + unknown);
    }

    static void allSet(String where, Map<String, String> env, Set<String> required) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(env.keySet());
        assertTrue(missing.isEmpty(), where + " leaves unset: " + missing);
    }

    static final Set<String> WORKER_READS = WorkerConfig.SETTINGS.envNames();

    static final Set<String> DISPATCHER_READS = DispatcherConfig.SETTINGS.envNames();

    @Test
    void theServicesReadTheirConfigurationFromSdfleetVariables() {
        assertTrue(WORKER_READS.containsAll(WORKER_MUST_SET), WORKER_READS.toString());
        assertTrue(DISPATCHER_READS.containsAll(DISPATCHER_MUST_SET), DISPATCHER_READS.toString());
    }

    @Test
    void workerDeploymentsSetOnlyWhatTheWorkerReads() {
        Set<String> known = WORKER_READS;
        onlyKnownKeys("infra/base worker", kubernetesWorker(), known);
        onlyKnownKeys("infra/overlays/cpu-tiny worker", cpuOverlayWorker(), known);
        onlyKnownKeys("docker/compose.yaml worker", composeWorker(), known);
        onlyKnownKeys(
                "docker/worker-gpu.Dockerfile",
                Dockerfile.read("docker/worker-gpu.Dockerfile").env(),
                known);
    }

    @Test
    void dispatcherDeploymentsSetOnlyWhatTheDispatcherReads() {
        Set<String> known = DISPATCHER_READS;
        onlyKnownKeys("infra/base dispatcher", kubernetesDispatcher(), known);
        onlyKnownKeys("docker/compose.yaml dispatcher", composeDispatcher(), known);
    }

    @Test
    void deploymentsSetWhatTheServicesNeed() {
        allSet("infra/base worker", kubernetesWorker(), WORKER_MUST_SET);
        allSet("docker/compose.yaml worker", composeWorker(), WORKER_MUST_SET);
        allSet("infra/base dispatcher", kubernetesDispatcher(), DISPATCHER_MUST_SET);
        allSet("docker/compose.yaml dispatcher", composeDispatcher(), DISPATCHER_MUST_SET);
    }

    @Test
    void theImagesLogJsonLinesForTheLogShipper() {
        // Compose and Kubernetes run these images, so both get JSON logs; the local fleet (`sdfleet up`) stays text.
        for (String image : List.of(
                "docker/dispatcher.Dockerfile", "docker/worker-cpu.Dockerfile", "docker/worker-gpu.Dockerfile")) {
            assertEquals("json", Dockerfile.read(image).env().get("SDFLEET_LOG_FORMAT"), image);
        }
    }

    @Test
    void theServicesAcceptEveryValueTheDeploymentsSet() {
        // The services' own parsers and validation: a bad number, port or provider list fails here, not at 3 am.
        assertDoesNotThrow(() -> WorkerConfig.fromEnv(kubernetesWorker()), "infra/base worker");
        Map<String, String> cpu = new LinkedHashMap<>(kubernetesWorker());
        cpu.putAll(cpuOverlayWorker());
        assertDoesNotThrow(() -> WorkerConfig.fromEnv(cpu), "infra/overlays/cpu-tiny worker");
        assertDoesNotThrow(() -> WorkerConfig.fromEnv(composeWorker()), "docker/compose.yaml worker");
        assertDoesNotThrow(() -> DispatcherConfig.fromEnv(kubernetesDispatcher()), "infra/base dispatcher");
        assertDoesNotThrow(() -> DispatcherConfig.fromEnv(composeDispatcher()), "docker/compose.yaml dispatcher");
    }
}
