package dev.sdfleet.cli;

import dev.sdfleet.pipeline.ProgressListener;
import java.io.PrintStream;

/** A one-line terminal progress bar, redrawn in place with a carriage return. */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long start = System.nanoTime();

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStep(int step, int total) {
        int filled = WIDTH * step / total;
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                "\r[%s%s] %d/%d steps  %.1f s", "#".repeat(filled), " ".repeat(WIDTH - filled), step, total, seconds);
        if (step == total) {
            out.println();
        }
        out.flush();
    }
}
