package dev.sdfleet.worker.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * The crash quarantine's memory: for the records of one partition at or past its committed offset, how many runs of
 * each started and never ended, because the worker process died during them. It travels as the metadata string of the
 * partition's committed offset ({@code OffsetAndMetadata.metadata()}), so it is exactly as durable as the offset,
 * belongs to the consumer group, and reaches whichever worker owns the partition next, with no topic or store of its
 * own.
 *
 * <p>Format: {@code runs/1 OFFSET=COUNT ...}, offsets ascending, at most {@link #MAX_ENTRIES} entries (well within the
 * broker's default {@code offset.metadata.max.bytes} of 4096). Parsing never throws: metadata this class did not write
 * (another client's, a future format) reads as no marks.
 */
final class RunMarks {
    static final String PREFIX = "runs/1";
    static final int MAX_ENTRIES = 128;

    private RunMarks() {}

    /** The metadata for {@code counts} (offset to runs, zero counts left out). */
    static String encode(Map<Long, Integer> counts) {
        StringBuilder text = new StringBuilder(PREFIX);
        int entries = 0;
        for (Map.Entry<Long, Integer> e : new TreeMap<>(counts).entrySet()) {
            if (e.getValue() > 0 && entries++ < MAX_ENTRIES) {
                text.append(' ').append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return text.toString();
    }

    /** The counts in {@code metadata}; empty for null, empty or foreign metadata. */
    static Map<Long, Integer> decode(String metadata) {
        Map<Long, Integer> counts = new TreeMap<>();
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return counts;
        }
        String[] parts = metadata.substring(PREFIX.length()).trim().split(" ");
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq <= 0 || counts.size() >= MAX_ENTRIES) {
                continue;
            }
            try {
                long offset = Long.parseLong(part.substring(0, eq));
                int runs = Integer.parseInt(part.substring(eq + 1));
                if (offset >= 0 && runs > 0) {
                    counts.put(offset, runs);
                }
            } catch (NumberFormatException e) {
                // a damaged entry: the others still count
            }
        }
        return counts;
    }
}
