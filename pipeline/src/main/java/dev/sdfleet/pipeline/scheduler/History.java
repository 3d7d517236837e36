package dev.sdfleet.pipeline.scheduler;

/**
 * The last (up to) {@code capacity} sample-sized tensors of a multistep method, like the Python lists diffusers
 * appends to and pops the oldest from (PNDM's {@code ets}, LMS's {@code derivatives}). The buffers are allocated once
 * and rotated, never reallocated.
 */
final class History {

    private final float[][] entries;
    private int size;

    History(int capacity, int length) {
        entries = new float[capacity][length];
    }

    /**
     * Appends an entry, dropping the oldest when full, and returns its buffer for the caller to fill (it holds
     * stale values).
     */
    float[] append() {
        float[] slot;
        if (size < entries.length) {
            slot = entries[size++];
        } else {
            slot = entries[0];
            System.arraycopy(entries, 1, entries, 0, entries.length - 1);
            entries[entries.length - 1] = slot;
        }
        return slot;
    }

    /** {@code list[-k]}: 1 is the newest entry. */
    float[] newest(int k) {
        return entries[size - k];
    }

    /** How many entries are kept. */
    int size() {
        return size;
    }
}
