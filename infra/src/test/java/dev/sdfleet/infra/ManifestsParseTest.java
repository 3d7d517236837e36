package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every manifest, compose file, dashboard and Dockerfile parses, and every file they name exists. */
class ManifestsParseTest {
    static final List<String> DOCKERFILES =
            List.of("docker/worker-gpu.Dockerfile", "docker/worker-cpu.Dockerfile", "docker/dispatcher.Dockerfile");

    @Test
    void everyKubernetesDocumentParsesAndNamesItsKind() {
        List<Manifests.Doc> docs = Manifests.kubernetes();
        assertTrue(docs.size() >= 20, "found " + docs.size() + " documents");
        for (Manifests.Doc doc : docs) {
            if (doc.file().getFileName().toString().equals("kustomization.yaml")) {
                assertEquals("Kustomization", doc.kind(), doc.file().toString());
                continue;
            }
            assertTrue(doc.body().get("apiVersion") instanceof String, doc.file() + ": apiVersion");
            assertTrue(doc.kind() != null && doc.name() != null, doc.file() + ": kind and metadata.name");
        }
    }

    @Test
    void everyKustomizationReferencesFilesThatExist() {
        for (Path file : Repo.files("infra", "kustomization.yaml")) {
            Map<String, Object> k = Manifests.load(file).getFirst().body();
            for (Object resource : Manifests.list(k, "resources")) {
                assertTrue(Files.exists(file.getParent().resolve((String) resource)), file + " -> " + resource);
            }
            for (Object o : Manifests.list(k, "configMapGenerator")) {
                for (Object f : Manifests.list(Manifests.cast(o), "files")) {
                    assertTrue(Files.isRegularFile(file.getParent().resolve((String) f)), file + " -> " + f);
                }
            }
        }
    }

    @Test
    void theDashboardIsGrafanaJsonWithQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper()
                .readTree(Repo.path("infra/base/dashboards/sdfleet.json").toFile());
        assertEquals("sdfleet", dashboard.get("uid").asText());
        assertTrue(dashboard.get("panels").size() >= 10);
        for (JsonNode panel : dashboard.get("panels")) {
            assertFalse(panel.get("targets").isEmpty(), panel.get("title").asText());
            panel.get("targets").forEach(t -> assertFalse(t.get("expr").asText().isBlank()));
        }
    }

    @Test
    void composeParsesAndBuildsFromDockerfilesThatExist() {
        Map<String, Object> services = Manifests.map(Manifests.compose(), "services");
        assertTrue(
                services.keySet().containsAll(List.of("kafka", "minio", "dispatcher", "worker")),
                services.keySet().toString());
        for (String service : List.of("dispatcher", "worker")) {
            Map<String, Object> build = Manifests.map(services, service, "build");
            Path context =
                    Repo.path("docker").resolve((String) build.get("context")).normalize();
            assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))), service + " dockerfile");
        }
    }

    @Test
    void dockerfilesCopyOnlyWhatExistsRunAsNonRootAndCheckHealth() {
        for (String name : DOCKERFILES) {
            Dockerfile dockerfile = Dockerfile.read(name);
            for (String source : dockerfile.contextSources()) {
                assertTrue(source.equals(".") || Files.exists(Repo.path(source)), name + " copies " + source);
            }
            assertNotEquals("root", dockerfile.user(), name + " runs as root");
            assertTrue(dockerfile.healthcheck().contains("/health/ready"), name + " health check");
        }
    }

    @Test
    void entrypointsNameMainClassesThatExist() {
        Map<String, String> mains = Map.of(
                "docker/worker-gpu.Dockerfile",
                "worker",
                "docker/worker-cpu.Dockerfile",
                "worker",
                "docker/dispatcher.Dockerfile",
                "dispatcher");
        mains.forEach((name, module) -> {
            String entrypoint = Dockerfile.read(name).entrypoint();
            String mainClass = entrypoint.replaceAll(".*\"(dev\\.sdfleet\\.[A-Za-z.]+)\".*", "$1");
            Path source = Repo.path(module + "/src/main/java/" + mainClass.replace('.', '/') + ".java");
            assertTrue(Files.isRegularFile(source), name + ": " + mainClass + " in " + module);
        });
    }
}
