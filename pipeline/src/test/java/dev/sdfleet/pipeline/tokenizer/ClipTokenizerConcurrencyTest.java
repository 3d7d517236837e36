package dev.sdfleet.pipeline.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.tokenizer.ConformanceClip.GoldenLine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One tokenizer shared by request threads: concurrent encodes, starting from a cold cache, give the golden ids. */
class ClipTokenizerConcurrencyTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 20;

    @Test
    void concurrentEncodesGiveTheGoldenIds() throws Exception {
        ClipTokenizer fresh = ClipTokenizer.load(ConformanceClip.folder()); // not the shared one: its cache is warm
        List<GoldenLine> golden = ConformanceClip.golden();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<GoldenLine> order = new ArrayList<>(golden);
                    int checked = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        Collections.shuffle(order, new Random(seed * 1000 + round));
                        for (GoldenLine line : order) {
                            assertArrayEquals(
                                    line.inputIds(), fresh.encode(line.prompt()).inputIds(), line.prompt());
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertTrue(result.get(60, TimeUnit.SECONDS) == ROUNDS * golden.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
