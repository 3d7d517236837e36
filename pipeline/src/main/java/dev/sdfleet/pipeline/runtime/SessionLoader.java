package dev.sdfleet.pipeline.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens a model's components at the same time: ORT builds one session on one thread (reading weights, optimising
 * the graph, pre-packing), so the text encoder and the VAE load beside the UNet instead of after it, and a worker
 * scaled from zero is ready sooner (BENCHMARKS.md, "SD-1.5-shaped model": load time). Closing it closes every session
 * it opened unless {@link #keep()} was called, so a load that fails half-way leaks none.
 */
public final class SessionLoader implements AutoCloseable {
    private final SessionFactory factory;
    private final ExecutorService threads;
    private final List<Future<LoadedSession>> started = new ArrayList<>();
    private boolean kept;

    /** @param threads sessions built at once (each uses one thread while it builds) */
    public SessionLoader(SessionFactory factory, int threads) {
        this.factory = factory;
        this.threads = Executors.newFixedThreadPool(
                threads,
                Thread.ofPlatform().name("sdfleet-session-load-", 0).daemon().factory());
    }

    /** Starts opening {@code file} for {@code component}; {@link #get} waits for it. */
    public Future<LoadedSession> open(String component, Path file, TensorRtProfiles.Profile profile) {
        Future<LoadedSession> future = threads.submit(() -> factory.open(component, file, profile));
        started.add(future);
        return future;
    }

    /**
     * The session, once open.
     *
     * @throws RuntimeException what opening it threw (a {@link MissingComponentException}, an
     *     {@link IllegalStateException} when no provider took it)
     */
    public static LoadedSession get(Future<LoadedSession> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Every session opened so far belongs to the caller now: {@link #close()} leaves them open. */
    public List<LoadedSession> keep() {
        kept = true;
        List<LoadedSession> sessions = new ArrayList<>();
        for (Future<LoadedSession> future : started) {
            sessions.add(get(future));
        }
        return sessions;
    }

    @Override
    public void close() {
        threads.shutdown();
        if (kept) {
            return;
        }
        // A failed load: wait for the sessions still building and close every one that opened.
        for (Future<LoadedSession> future : started) {
            try {
                get(future).close();
            } catch (RuntimeException ignored) {
                // this one did not open: nothing to close (the load's failure is already on its way up)
            }
        }
    }
}
