package dev.sdfleet.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every benchmark prints: a Markdown table for people, then one JSON line for machines. Both carry the date, the
 * machine (cores, memory, JDK) and the command line, then the benchmark's rows (a measure and its value as text); the
 * JSON line also carries the figures as numbers, under stable keys.
 *
 * <pre>
 * | bench pipeline | value |
 * |---|---|
 * | date | 2026-12-04T15:40:12Z |
 * | machine | 2 cores (...), 23.5 GiB memory, Linux amd64, JDK 25.0.1+8-LTS (Eclipse Adoptium) |
 * | command | ./sdfleet bench pipeline --runs 20 |
 * | total per image | 112.70 ms |
 * {"bench":"pipeline","date":"...","machine":{...},"command":"...","ok":true,"rows":[...],"figures":{...}}
 * </pre>
 */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a benchmark ran. */
    public record Machine(int cores, long memoryMiB, String cpu, String os, String jdk) {
        /** This machine, as the JVM and /proc see it. */
        public static Machine current() {
            long memory =
                    ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                            ? os.getTotalMemorySize() / (1024 * 1024)
                            : -1;
            return new Machine(
                    Runtime.getRuntime().availableProcessors(),
                    memory,
                    cpuModel(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")");
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d cores%s, %.1f GiB memory, %s, JDK %s",
                    cores,
                    cpu.isEmpty() ? "" : " (" + cpu + ")",
                    memoryMiB / 1024.0,
                    os,
                    jdk);
        }

        private static String cpuModel() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(line -> line.startsWith("model name"))
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse("");
            } catch (IOException | RuntimeException e) {
                return ""; // not Linux
            }
        }
    }

    /** One line of the table. */
    public record Row(String measure, String value) {}

    private final String bench;
    private final Instant date;
    private final Machine machine;
    private final String command;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    public BenchReport(String bench, Instant date, Machine machine, String command) {
        this.bench = bench;
        this.date = date.truncatedTo(ChronoUnit.SECONDS);
        this.machine = machine;
        this.command = command;
    }

    /** A report of {@code bench} starting now on this machine, for the command line {@code argv}. */
    public static BenchReport start(String bench, List<String> argv) {
        List<String> words = new ArrayList<>(List.of("./sdfleet", "bench", bench));
        argv.stream().map(BenchReport::quoted).forEach(words::add);
        return new BenchReport(bench, Instant.now(), Machine.current(), String.join(" ", words));
    }

    /** A row of the table. */
    public BenchReport row(String measure, String value) {
        rows.add(new Row(measure, value));
        return this;
    }

    /** A row of the table, formatted with {@link Locale#ROOT}. */
    public BenchReport row(String measure, String format, Object... args) {
        return row(measure, String.format(Locale.ROOT, format, args));
    }

    /** A figure for machines (a number, a boolean or a short text), under a key that stays the same across runs. */
    public BenchReport figure(String key, Object value) {
        figures.put(key, value instanceof Double d ? Math.round(d * 1000) / 1000.0 : value);
        return this;
    }

    /** A row of percentiles and their figures {@code key.p50_ms}, {@code key.p99_ms}, {@code key.max_ms}, {@code key.n}. */
    public BenchReport percentiles(String key, String measure, Percentiles p) {
        row(measure, p.toString());
        figure(key + ".p50_ms", p.p50());
        figure(key + ".p99_ms", p.p99());
        figure(key + ".max_ms", p.max());
        return figure(key + ".n", p.count());
    }

    /** A check failed: the report says so and the command exits with 1. */
    public BenchReport fail(String why) {
        failures.add(why);
        return this;
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    public String bench() {
        return bench;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public Map<String, Object> figures() {
        return Map.copyOf(figures);
    }

    /** The table: date, machine and command first, then the rows, then any failed check. */
    public String markdown() {
        StringBuilder table = new StringBuilder();
        table.append("| bench ").append(cell(bench)).append(" | value |\n|---|---|\n");
        line(table, "date", date.toString());
        line(table, "machine", machine.toString());
        line(table, "command", command);
        rows.forEach(row -> line(table, row.measure(), row.value()));
        failures.forEach(why -> line(table, "FAILED", why));
        return table.toString();
    }

    /** The JSON line (no line break inside). */
    public String json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", bench);
        doc.put("date", date.toString());
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("cores", machine.cores());
        host.put("memory_mib", machine.memoryMiB());
        host.put("cpu", machine.cpu());
        host.put("os", machine.os());
        host.put("jdk", machine.jdk());
        doc.put("machine", host);
        doc.put("command", command);
        doc.put("ok", ok());
        doc.put("failures", failures);
        List<Map<String, String>> table = new ArrayList<>();
        for (Row row : rows) {
            Map<String, String> line = new LinkedHashMap<>();
            line.put("measure", row.measure());
            line.put("value", row.value());
            table.add(line);
        }
        doc.put("rows", table);
        doc.put("figures", figures);
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a figure that is not JSON: " + e.getMessage(), e);
        }
    }

    /** The table, a blank line, the JSON line. */
    public void print(PrintStream out) {
        out.print(markdown());
        out.println();
        out.println(json());
        out.flush();
    }

    private static void line(StringBuilder table, String measure, String value) {
        table.append("| ")
                .append(cell(measure))
                .append(" | ")
                .append(cell(value))
                .append(" |\n");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String quoted(String word) {
        return word.isEmpty() || word.matches(".*[\\s'\"\\\\$|&;<>()*?].*")
                ? "'" + word.replace("'", "'\\''") + "'"
                : word;
    }
}
