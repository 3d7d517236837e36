package dev.sdfleet.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every workload in infra/ meets Pod Security "restricted" (what the namespace label enforces at admission, checked
 * here before a cluster sees it), writes only to volumes (read-only root file system), and no manifest anywhere
 * mounts a hostPath. The images run as a numeric non-root user and keep every path they write on a VOLUME.
 */
class PodSecurityTest {
    static final List<Manifests.Doc> DOCS = Manifests.kubernetes();

    /** The volume types the restricted profile allows. */
    static final Set<String> ALLOWED_VOLUMES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

    /** Volume types a container can write to. */
    static final Set<String> WRITABLE_VOLUMES = Set.of("emptyDir", "ephemeral", "persistentVolumeClaim");

    /** The settings that name a folder the services write to. */
    static final List<String> WRITTEN_PATHS = List.of("SDFLEET_STATE_DIR", "SDFLEET_MODEL_CACHE", "SDFLEET_TRT_CACHE");

    @Test
    void theNamespaceEnforcesTheRestrictedProfile() {
        Map<String, Object> labels =
                Manifests.map(Manifests.find(DOCS, "Namespace", "sdfleet").body(), "metadata", "labels");
        assertEquals("restricted", labels.get("pod-security.kubernetes.io/enforce"));
        Map<String, Object> base = Manifests.load(Repo.path("infra/base/kustomization.yaml"))
                .getFirst()
                .body();
        assertEquals("sdfleet", base.get("namespace"), "every base resource lands in the enforced namespace");
    }

    @Test
    void everyPodRunsAsANumericNonRootUserWithSeccomp() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            String where = workload.kind() + " " + workload.name();
            Map<String, Object> pod = Workloads.podSpec(workload);
            Map<String, Object> context = Manifests.map(pod, "securityContext");
            assertEquals(true, context.get("runAsNonRoot"), where + " runAsNonRoot");
            for (String id : List.of("runAsUser", "runAsGroup", "fsGroup")) {
                assertTrue(
                        context.get(id) instanceof Integer n && n > 0,
                        where + " " + id + " numeric, not root: " + context);
            }
            for (String flag : List.of("hostNetwork", "hostPID", "hostIPC")) {
                assertNotEquals(true, pod.get(flag), where + " " + flag);
            }
            boolean podSeccomp = runtimeDefault(context);
            for (Map<String, Object> container : Workloads.containers(workload)) {
                Map<String, Object> own = Manifests.cast(container.getOrDefault("securityContext", Map.of()));
                assertTrue(podSeccomp || runtimeDefault(own), where + "/" + container.get("name") + " seccompProfile");
                assertNotEquals(0, own.get("runAsUser"), where + "/" + container.get("name") + " runs as root");
                assertNotEquals(false, own.get("runAsNonRoot"), where + "/" + container.get("name"));
            }
        }
    }

    @Test
    void everyContainerDropsEverythingAndHasAReadOnlyRoot() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            for (Map<String, Object> container : Workloads.containers(workload)) {
                String where = workload.name() + "/" + container.get("name");
                Map<String, Object> context = Manifests.map(container, "securityContext");
                assertEquals(false, context.get("allowPrivilegeEscalation"), where + " allowPrivilegeEscalation");
                assertNotEquals(true, context.get("privileged"), where + " privileged");
                assertEquals(true, context.get("readOnlyRootFilesystem"), where + " readOnlyRootFilesystem");
                Map<String, Object> capabilities = Manifests.map(context, "capabilities");
                assertEquals(List.of("ALL"), Manifests.list(capabilities, "drop"), where + " drops ALL");
                List<Object> added = Manifests.list(capabilities, "add");
                assertTrue(added.isEmpty() || added.equals(List.of("NET_BIND_SERVICE")), where + " adds " + added);
                for (Object port : Manifests.list(container, "ports")) {
                    assertFalse(Manifests.cast(port).containsKey("hostPort"), where + " hostPort");
                }
            }
        }
    }

    @Test
    void onlyRestrictedVolumeTypesAndNoHostPathAnywhere() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            for (Object o : Manifests.list(Workloads.podSpec(workload), "volumes")) {
                Map<String, Object> volume = Manifests.cast(o);
                Set<String> types = new TreeSet<>(volume.keySet());
                types.remove("name");
                assertEquals(1, types.size(), workload.name() + " volume " + volume);
                assertTrue(
                        ALLOWED_VOLUMES.containsAll(types),
                        workload.name() + " volume " + volume.get("name") + " is " + types);
            }
        }
        // Overlays are patches, not workloads: no file under infra/ may bring a hostPath in at all.
        for (Path file : Repo.files("infra", ".yaml", ".yml")) {
            assertFalse(
                    Pattern.compile("(?m)^[^#\\n]*\\bhostPath\\s*:")
                            .matcher(Manifests.text(file))
                            .find(),
                    file + " mounts a hostPath");
        }
    }

    @Test
    void noOverlayPatchLoosensThePodSecurity() {
        // Overlays are checked as text: a patch that touches a security field or adds a host namespace would change
        // what the checks above saw in the base.
        Pattern loosening = Pattern.compile(
                "(?m)^[^#\\n]*(securityContext|privileged|allowPrivilegeEscalation|readOnlyRootFilesystem|capabilities"
                        + "|runAsUser|runAsNonRoot|seccompProfile|hostNetwork|hostPID|hostIPC|hostPort"
                        + "|pod-security\\.kubernetes\\.io)");
        for (Path file : Repo.files("infra/overlays", "kustomization.yaml")) {
            var m = loosening.matcher(Manifests.text(file));
            boolean found = m.find();
            assertFalse(found, () -> file + " patches " + m.group(1));
        }
    }

    @Test
    void everyPathTheServicesWriteIsAWritableVolume() {
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            Map<String, String> env = Manifests.environment(DOCS, workload);
            List<String> written = new ArrayList<>();
            written.add("/tmp"); // java.io.tmpdir: native libraries unpacked, JVM perf data
            for (String setting : WRITTEN_PATHS) {
                if (env.containsKey(setting)) {
                    written.add(env.get(setting));
                }
            }
            List<String> writable = writableMounts(workload);
            for (String path : written) {
                assertTrue(
                        writable.stream().anyMatch(mount -> path.equals(mount) || path.startsWith(mount + "/")),
                        workload.name() + " writes " + path + " but its writable mounts are " + writable);
            }
        }
    }

    @Test
    void theImagesRunAsANumericUserAndWriteOnlyToVolumes() {
        for (String name : ManifestsParseTest.DOCKERFILES) {
            Dockerfile image = Dockerfile.read(name);
            String[] user = image.user().split(":");
            assertTrue(image.user().matches("[1-9][0-9]*:[1-9][0-9]*"), name + " USER uid:gid, got " + image.user());
            assertEquals("10001", user[0], name + ": the uid the pods' runAsUser names");
            String tmpdir = image.env()
                    .getOrDefault("JAVA_TOOL_OPTIONS", "")
                    .replaceAll(".*-Djava\\.io\\.tmpdir=(\\S+).*", "$1");
            assertTrue(image.volumes().contains(tmpdir), name + " java.io.tmpdir " + tmpdir + " is a VOLUME");
            for (String setting : WRITTEN_PATHS) {
                String path = image.env().get(setting);
                if (path != null) {
                    assertTrue(image.volumes().contains(path), name + " " + setting + "=" + path + " is a VOLUME");
                }
            }
        }
        for (Manifests.Doc workload : Workloads.all(DOCS)) {
            Object uid = Manifests.map(Workloads.podSpec(workload), "securityContext")
                    .get("runAsUser");
            assertEquals(10001, uid, workload.name() + " runs as the images' user");
        }
    }

    /** Mount paths of the containers' writable volumes (emptyDir, ephemeral, PVC, a StatefulSet's claim templates). */
    static List<String> writableMounts(Manifests.Doc workload) {
        Set<String> writableVolumes = new TreeSet<>();
        for (Object o : Manifests.list(Workloads.podSpec(workload), "volumes")) {
            Map<String, Object> volume = Manifests.cast(o);
            if (volume.keySet().stream().anyMatch(WRITABLE_VOLUMES::contains)) {
                writableVolumes.add((String) volume.get("name"));
            }
        }
        if ("StatefulSet".equals(workload.kind())) {
            for (Object o : Manifests.list(Manifests.map(workload.body(), "spec"), "volumeClaimTemplates")) {
                writableVolumes.add(
                        (String) Manifests.map(Manifests.cast(o), "metadata").get("name"));
            }
        }
        List<String> mounts = new ArrayList<>();
        for (Map<String, Object> container : Workloads.containers(workload)) {
            for (Object o : Manifests.list(container, "volumeMounts")) {
                Map<String, Object> mount = Manifests.cast(o);
                if (writableVolumes.contains(mount.get("name")) && !Boolean.TRUE.equals(mount.get("readOnly"))) {
                    mounts.add((String) mount.get("mountPath"));
                }
            }
        }
        return mounts;
    }

    static boolean runtimeDefault(Map<String, Object> context) {
        Object profile = context.get("seccompProfile");
        return profile != null
                && Set.of("RuntimeDefault", "Localhost")
                        .contains(Manifests.cast(profile).get("type"));
    }
}
