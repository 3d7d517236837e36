package dev.sdfleet.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The workloads of infra/ (whatever runs pods), their pod specs and containers, and label selectors over them. */
final class Workloads {
    static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob");

    private Workloads() {}

    static List<Manifests.Doc> all(List<Manifests.Doc> docs) {
        List<Manifests.Doc> workloads = docs.stream()
                .filter(d -> KINDS.contains(d.kind()) || "Pod".equals(d.kind()))
                .toList();
        if (workloads.size() < 2) {
            throw new AssertionError("expected the dispatcher and worker workloads, found " + workloads.size());
        }
        return workloads;
    }

    static Manifests.Doc find(List<Manifests.Doc> docs, String name) {
        return all(docs).stream()
                .filter(d -> name.equals(d.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no workload named " + name + " in infra/"));
    }

    /** The pod template's metadata and spec as {@code {metadata, spec}} (a Pod: itself; a CronJob: its job's pods). */
    static Map<String, Object> template(Manifests.Doc workload) {
        return switch (workload.kind()) {
            case "Pod" -> workload.body();
            case "CronJob" -> Manifests.map(workload.body(), "spec", "jobTemplate", "spec", "template");
            default -> Manifests.map(workload.body(), "spec", "template");
        };
    }

    static Map<String, Object> podSpec(Manifests.Doc workload) {
        return Manifests.map(template(workload), "spec");
    }

    static Map<String, Object> podLabels(Manifests.Doc workload) {
        return Manifests.map(template(workload), "metadata", "labels");
    }

    /** Every container of the pod: init, regular and ephemeral ones. */
    static List<Map<String, Object>> containers(Manifests.Doc workload) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String key : List.of("initContainers", "containers", "ephemeralContainers")) {
            Manifests.list(podSpec(workload), key).forEach(c -> all.add(Manifests.cast(c)));
        }
        return all;
    }

    /** Whether a Kubernetes label selector ({@code matchLabels}, {@code matchExpressions}) selects {@code labels}. */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        Object matchLabels = selector.get("matchLabels");
        if (matchLabels != null) {
            for (Map.Entry<String, Object> e : Manifests.cast(matchLabels).entrySet()) {
                if (!String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey())))) {
                    return false;
                }
            }
        }
        for (Object o : Manifests.list(selector, "matchExpressions")) {
            Map<String, Object> expression = Manifests.cast(o);
            String key = (String) expression.get("key");
            List<Object> values = Manifests.list(expression, "values");
            Object value = labels.get(key);
            boolean ok = switch ((String) expression.get("operator")) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator in " + expression);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether a selector is empty ({@code {}}): it selects every pod of the namespace. */
    static boolean selectsAll(Map<String, Object> selector) {
        return Manifests.cast(selector.getOrDefault("matchLabels", Map.of())).isEmpty()
                && Manifests.list(selector, "matchExpressions").isEmpty();
    }
}
