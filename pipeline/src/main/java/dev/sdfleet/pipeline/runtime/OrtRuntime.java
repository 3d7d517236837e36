package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's one ORT environment, always created on a thread of its own with a large stack.
 *
 * <p>Why: with ORT 1.29.0 on JDK 25, creating the environment (the first ORT call of a process) uses native stack in
 * proportion to the size of the JVM's system properties, and overflowing it kills the process with SIGSEGV and no
 * error report. Measured here: a 6,000-character class path (the launcher's {@code lib/*} wildcard, or a test class
 * path handed to a child JVM) crashed on a 1 MiB stack (the main thread's default), 12,000 needed more than 2 MiB,
 * 96,000 more than 16 MiB; a 64 MiB stack took 96,000. Once created, sessions open and run on any thread. The stack
 * is only reserved address space, and the thread ends as soon as the environment exists.
 */
public final class OrtRuntime {
    private static final long INIT_STACK_BYTES = 64L << 20;
    private static volatile OrtEnvironment environment;

    private OrtRuntime() {}

    /** The environment, created on first use. */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env == null) {
            synchronized (OrtRuntime.class) {
                env = environment;
                if (env == null) {
                    env = createOnLargeStack();
                    environment = env;
                }
            }
        }
        return env;
    }

    private static OrtEnvironment createOnLargeStack() {
        AtomicReference<OrtEnvironment> created = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread init = new Thread(
                null,
                () -> {
                    try {
                        created.set(OrtEnvironment.getEnvironment());
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "ort-environment-init",
                INIT_STACK_BYTES);
        init.start();
        boolean interrupted = false;
        while (true) {
            try {
                init.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the environment is needed either way; keep the interrupt for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("ONNX Runtime did not start: " + failure.get(), failure.get());
        }
        return created.get();
    }
}
