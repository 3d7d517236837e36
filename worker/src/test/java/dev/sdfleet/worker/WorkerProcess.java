package dev.sdfleet.worker;

import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a child JVM ({@link WorkerMain}, configured through its environment), for what an in-process
 * {@link Worker} cannot show: a process killed with SIGKILL runs no close hook, no finally block and no shutdown
 * hook, exactly like a node that loses power. Also how the benchmarks measure one worker's resident memory.
 *
 * <p>A test fixture: it ships in this module's test jar (for {@code HardKillTest} and the benchmarks in
 * {@code bench/}), not in the worker itself.
 */
public final class WorkerProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final WorkerConfig config;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private WorkerProcess(WorkerConfig config, Process process, Path log) {
        this.config = config;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code config} in a new JVM with {@code classPath} (this JVM's own class path holds the worker and its
     * dependencies in tests and in the command line). An HTTP port of 0 becomes a free port chosen here, since the
     * parent needs to know where to ask for readiness. Output goes to {@code log}.
     */
    public static WorkerProcess start(WorkerConfig config, String classPath, Path log, List<String> jvmOptions) {
        return start(WorkerMain.class, config, classPath, log, jvmOptions);
    }

    /** As {@link #start(WorkerConfig, String, Path, List)}, with another main class ({@link FaultyWorkerMain}). */
    public static WorkerProcess start(
            Class<?> main, WorkerConfig config, String classPath, Path log, List<String> jvmOptions) {
        WorkerConfig fixed = config.httpPort() == 0
                ? config.toBuilder().httpPort(FreePorts.pick()).build()
                : config;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("SDFLEET_"));
        builder.environment().putAll(fixed.toEnv());
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new WorkerProcess(fixed, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + config.workerId(), e);
        }
    }

    /** This JVM's class path, which holds the worker wherever this class was loaded from. */
    public static String currentClassPath() {
        return System.getProperty("java.class.path");
    }

    public WorkerConfig config() {
        return config;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to end by itself; its exit code, or empty if it still runs. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    /** The HTTP port of its health and metrics endpoints. */
    public int httpPort() {
        return config.httpPort();
    }

    /**
     * Waits until {@code /health/ready} answers 200: model loaded, warmed up, consumer running.
     *
     * @throws IllegalStateException when the process exits first or the time runs out (the log names why)
     */
    public WorkerProcess awaitReady(Duration timeout) throws InterruptedException {
        URI ready = URI.create("http://127.0.0.1:" + config.httpPort() + "/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker " + config.workerId() + " exited with " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            if (answersOk(ready)) {
                return this;
            }
            Thread.sleep(POLL);
        }
        throw new IllegalStateException(
                "worker " + config.workerId() + " not ready within " + timeout + "; see " + log);
    }

    private boolean answersOk(URI uri) throws InterruptedException {
        try {
            // sendAsync + get: HttpRequest.timeout alone does not bound the body.
            return http.sendAsync(
                                    HttpRequest.newBuilder(uri)
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .get(5, TimeUnit.SECONDS)
                            .statusCode()
                    == 200;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return false; // not listening yet
        }
    }

    /** SIGKILL, then waits for the process to be gone; returns its exit code (137). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /**
     * SIGTERM, the graceful stop (drain, commit, leave the group); after {@code timeout} SIGKILL. Returns the exit
     * code.
     */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return kill();
        }
        return process.exitValue();
    }

    /** Resident memory now, in KiB, from /proc (Linux); -1 where there is none. */
    public long rssKiB() {
        return ProcessMemory.rssKiB(process.pid());
    }

    /** Kills the process if it still runs: a test that failed midway leaves no worker behind. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
