package dev.sdfleet.worker;

import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.inference.ImageGenerator;
import java.time.Clock;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link WorkerMain} with two faults a real pipeline can have, triggered by marker words in a job's prompt: a job
 * whose prompt holds {@link #HALT} kills the process as a native crash or the OOM killer would ({@code Runtime.halt}:
 * no shutdown hook, no finally block, no commit), and one that holds {@link #HANG} never returns from its pipeline call
 * and reports no step (an ORT call stuck in a driver). Every other job runs on the real pipeline.
 *
 * <p>A test fixture in this module's test jar (for {@code CrashQuarantineTest} and the fault campaign in
 * {@code bench/}); the worker itself has no such hook.
 */
public final class FaultyWorkerMain {
    /** A prompt holding this word kills the worker process during its pipeline call. */
    public static final String HALT = "[fault:halt]";
    /** A prompt holding this word makes its pipeline call hang, without progress, until the process dies. */
    public static final String HANG = "[fault:hang]";
    /** The exit code of a halted worker: what the kernel reports for a SIGSEGV'd JVM (128 + 6, SIGABRT). */
    public static final int HALT_EXIT_CODE = 134;

    private FaultyWorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        WorkerConfig config = WorkerConfig.fromEnv(System.getenv());
        Worker worker = new Worker(config, Clock.systemUTC(), FaultyWorkerMain::withFaults);
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "sdfleet-shutdown"));
        worker.start();
        worker.awaitTermination();
        if (worker.hasFailed()) {
            System.exit(1);
        }
    }

    static ImageGenerator withFaults(ImageGenerator real) {
        return (request, progress, cancellation) -> {
            for (String prompt : request.prompts()) {
                if (prompt.contains(HALT)) {
                    Runtime.getRuntime().halt(HALT_EXIT_CODE);
                }
                if (prompt.contains(HANG)) {
                    while (true) {
                        LockSupport.park(); // deaf to cancellation and interrupts, as a stuck native call is
                    }
                }
            }
            return real.generate(request, progress, cancellation);
        };
    }
}
