package dev.sdfleet.worker;

import dev.sdfleet.service.LogSettings;
import dev.sdfleet.worker.config.WorkerConfig;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one worker until SIGTERM (or Ctrl-C), configured by the {@code SDFLEET_*} environment variables (see
 * {@link WorkerConfig}; {@code --help} lists them). Arguments of the form {@code NAME=value} override the environment, e.g.
 * {@code SDFLEET_BATCH_SIZE=4}. Exit code 0 after a graceful stop, 1 when it cannot start, 2 for bad settings.
 */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        LogSettings.bridgeJavaUtilLogging();
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println("usage: WorkerMain [SDFLEET_NAME=value ...]\n");
                System.out.print(WorkerConfig.SETTINGS.markdownTable());
                return;
            }
            int eq = arg.indexOf('=');
            if (eq <= 0 || !arg.startsWith("SDFLEET_")) {
                System.err.println("worker: arguments are SDFLEET_NAME=value, got " + arg);
                System.exit(2);
            }
            env.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        WorkerConfig config;
        try {
            config = WorkerConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            System.err.println("worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        Worker worker = new Worker(config);
        // SIGTERM and Ctrl-C run the hooks: the graceful close drains, commits and leaves the group.
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "sdfleet-shutdown"));
        try {
            worker.start();
        } catch (IllegalStateException e) {
            LOG.error("{}", e.getMessage());
            System.exit(1);
        }
        worker.awaitTermination();
        if (worker.hasFailed()) {
            System.exit(1); // so that a supervisor restarts it
        }
    }
}
