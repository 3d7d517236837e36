package dev.sdfleet.devstack;

import java.util.List;

/** Closing several servers at once: every one is tried, and the first failure is thrown with the others suppressed. */
final class Closeables {
    private Closeables() {}

    /** Closes what a failed start had opened, keeping the start failure as the one thrown. */
    static void closeAfterFailure(List<AutoCloseable> resources, Throwable failure) {
        try {
            closeAll(resources);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Closes each of {@code resources} in order, even when one fails; then throws the first failure, if any. */
    static void closeAll(List<AutoCloseable> resources) {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Closing test infrastructure failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
