package dev.sdfleet.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Every YAML document under infra/ and docker/, parsed, with navigation helpers for the checks. */
final class Manifests {
    /** One parsed YAML document and the file it came from. */
    record Doc(Path file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body, "metadata").get("name");
        }
    }

    private Manifests() {}

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    static List<Doc> load(Path file) {
        List<Doc> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object o : yaml().loadAll(reader)) {
                if (o != null) {
                    docs.add(new Doc(file, cast(o)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** A file's text. */
    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All Kubernetes documents of infra/ (kustomizations included). */
    static List<Doc> kubernetes() {
        return Repo.files("infra", ".yaml", ".yml").stream()
                .flatMap(f -> load(f).stream())
                .toList();
    }

    static Doc find(List<Doc> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> kind.equals(d.kind()) && name.equals(d.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in infra/"));
    }

    static Map<String, Object> compose() {
        return load(Repo.path("docker/compose.yaml")).getFirst().body();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> map(Map<String, Object> m, String... path) {
        Object at = m;
        for (String key : path) {
            at = cast(at).get(key);
            if (at == null) {
                throw new AssertionError("missing " + String.join(".", path));
            }
        }
        return cast(at);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<Object>) v;
    }

    /** The first container of a Deployment. */
    static Map<String, Object> container(Doc deployment) {
        return cast(list(map(deployment.body(), "spec", "template", "spec"), "containers")
                .getFirst());
    }

    /**
     * The environment a Deployment's container gets: its ConfigMaps' data and Secrets' stringData (envFrom), then
     * its own env entries (a fieldRef reads as a typical pod's value, a secretKeyRef as
     * {@code (secret NAME key KEY)}).
     */
    static Map<String, String> environment(List<Doc> docs, Doc deployment) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Object> container = container(deployment);
        for (Object o : list(container, "envFrom")) {
            Map<String, Object> from = cast(o);
            if (from.containsKey("configMapRef")) {
                strings(
                        map(
                                find(docs, "ConfigMap", (String)
                                                map(from, "configMapRef").get("name"))
                                        .body(),
                                "data"),
                        env);
            } else if (from.containsKey("secretRef")) {
                strings(
                        map(
                                find(docs, "Secret", (String)
                                                map(from, "secretRef").get("name"))
                                        .body(),
                                "stringData"),
                        env);
            }
        }
        for (Object o : list(container, "env")) {
            Map<String, Object> e = cast(o);
            env.put((String) e.get("name"), e.containsKey("value") ? String.valueOf(e.get("value")) : fromPod(e));
        }
        return env;
    }

    /** What Kubernetes puts in a {@code valueFrom.fieldRef} variable, for a typical pod. */
    private static String fromPod(Map<String, Object> entry) {
        if (map(entry, "valueFrom").containsKey("secretKeyRef")) {
            Map<String, Object> ref = map(entry, "valueFrom", "secretKeyRef");
            return "(secret " + ref.get("name") + " key " + ref.get("key") + ")";
        }
        String field = (String) map(entry, "valueFrom", "fieldRef").get("fieldPath");
        return switch (field) {
            case "status.podIP" -> "10.0.3.17";
            case "metadata.name" -> "sdfleet-pod-7d9f8-x2k4q";
            default -> throw new AssertionError("no sample value for fieldRef " + field);
        };
    }

    private static void strings(Map<String, Object> from, Map<String, String> into) {
        from.forEach((k, v) -> into.put(k, String.valueOf(v)));
    }

    /** The environment of a compose service (anchors and merge keys resolved by the parser). */
    static Map<String, String> composeEnvironment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        strings(map(compose(), "services", service, "environment"), env);
        return env;
    }

    /** {@code KEY=VALUE} literals of a kustomization's configMapGenerator entry that merges into {@code name}. */
    static Map<String, String> generatorLiterals(Doc kustomization, String name) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : list(kustomization.body(), "configMapGenerator")) {
            Map<String, Object> gen = cast(o);
            if (name.equals(gen.get("name"))) {
                for (Object literal : list(gen, "literals")) {
                    String[] kv = ((String) literal).split("=", 2);
                    env.put(kv[0], kv[1]);
                }
            }
        }
        return env;
    }
}
