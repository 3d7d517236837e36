package dev.sdfleet.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions of a Dockerfile that the checks read: ENV, EXPOSE, COPY (from the build context), ENTRYPOINT. */
record Dockerfile(String name, List<String> instructions) {
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");

    static Dockerfile read(String relative) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Repo.read(relative).split("\n")) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                instructions.add(current.append(trimmed).toString());
                current.setLength(0);
            }
        }
        return new Dockerfile(relative, instructions);
    }

    /** ENV of the last stage (the image that runs). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String i : lastStage()) {
            if (i.startsWith("ENV ")) {
                Matcher m = ENV_PAIR.matcher(i.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replace("\"", ""));
                }
            }
        }
        return env;
    }

    List<Integer> exposedPorts() {
        return lastStage().stream()
                .filter(i -> i.startsWith("EXPOSE "))
                .flatMap(i -> List.of(i.substring(7).trim().split("\\s+")).stream())
                .map(Integer::parseInt)
                .toList();
    }

    /** Source paths of COPY instructions that copy from the build context (not from another stage or image). */
    List<String> contextSources() {
        List<String> sources = new ArrayList<>();
        for (String i : instructions) {
            if (i.startsWith("COPY ") && !i.contains("--from=")) {
                List<String> parts =
                        new ArrayList<>(List.of(i.substring(5).trim().split("\\s+")));
                parts.removeIf(p -> p.startsWith("--"));
                sources.addAll(parts.subList(0, parts.size() - 1));
            }
        }
        return sources;
    }

    String entrypoint() {
        return lastStage().stream()
                .filter(i -> i.startsWith("ENTRYPOINT "))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    String healthcheck() {
        return lastStage().stream()
                .filter(i -> i.startsWith("HEALTHCHECK "))
                .findFirst()
                .orElse("");
    }

    /** The paths of the last stage's VOLUME instructions (JSON or plain form). */
    List<String> volumes() {
        List<String> volumes = new ArrayList<>();
        for (String i : lastStage()) {
            if (i.startsWith("VOLUME ")) {
                for (String part :
                        i.substring(7).replaceAll("[\\[\\]\",]", " ").trim().split("\\s+")) {
                    volumes.add(part);
                }
            }
        }
        return volumes;
    }

    String user() {
        return lastStage().stream()
                .filter(i -> i.startsWith("USER "))
                .reduce((a, b) -> b)
                .map(i -> i.substring(5).trim())
                .orElse("root");
    }

    private List<String> lastStage() {
        int from = 0;
        for (int k = 0; k < instructions.size(); k++) {
            if (instructions.get(k).startsWith("FROM ")) {
                from = k;
            }
        }
        return instructions.subList(from, instructions.size());
    }
}
