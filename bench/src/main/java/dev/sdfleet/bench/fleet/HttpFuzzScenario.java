package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.dispatcher.FuzzedRequests;
import dev.sdfleet.dispatcher.support.TestTenants;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * Fuzzed and malformed HTTP calls ({@link FuzzedRequests}) in rounds, each round followed by one valid request (HTTP
 * and Kafka ingress in turn) that must end with its image. Passes when no fuzzed call is answered 5xx or not at all,
 * every valid request has exactly one completion event, and the dispatcher is ready afterwards. A fuzzed body can be
 * valid by chance (a field replaced by another legal value): its 202 is counted, not a miss.
 */
final class HttpFuzzScenario implements FaultScenario {
    private static final int WORKERS = 1;
    private static final int CLIENTS = 16;
    /** The body of the fuzzed calls whose only fault is elsewhere (a wrong key, an oversized Idempotency-Key). */
    private static final String BODY = "{\"prompt\":\"a red circle\",\"model\":\"tiny-sd\",\"width\":64,"
            + "\"height\":64,\"steps\":4,\"priority\":\"low\"}";

    /** One valid request per round; 4 rounds at least, one more per 500 fuzzed calls. */
    private static int rounds(int size) {
        return 4 + size / 500;
    }

    @Override
    public String name() {
        return "fuzzed HTTP requests";
    }

    @Override
    public String describe(int size) {
        return size + " fuzzed calls to the API";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        try (DispatcherRig rig = DispatcherRig.start(bench, "httpfuzz", 2, WORKERS, DispatcherRig.QUICK_WEBHOOKS);
                HttpClient http = HttpClient.newBuilder()
                        .executor(Executors.newVirtualThreadPerTaskExecutor())
                        .connectTimeout(Duration.ofSeconds(5))
                        .build()) {
            List<HttpRequest> fuzzed = FuzzedRequests.mix(rig.dispatcher().baseUrl(), TestTenants.ACME_KEY, BODY, size);
            int rounds = rounds(size);
            Map<Integer, Integer> answers = new TreeMap<>();
            List<String> ids = new ArrayList<>();
            long started = System.nanoTime();
            for (int round = 0; round < rounds; round++) {
                List<HttpRequest> chunk = fuzzed.subList(size * round / rounds, size * (round + 1) / rounds);
                FuzzedRequests.send(http, chunk, CLIENTS)
                        .forEach((status, n) -> answers.merge(status, n, Integer::sum));
                ids.add(rig.submitter().mixed(round, "a red circle after fuzz round " + round, null));
            }
            double fuzzSeconds = (System.nanoTime() - started) / 1e9;
            log.printf(
                    "http fuzz: %d fuzzed calls in %.1f s answered %s; %d valid requests between them%n",
                    size, fuzzSeconds, answers, ids.size());
            long published = System.nanoTime();
            JobOutcomes outcomes = rig.awaitCompletions(ids, Duration.ofMinutes(5));
            double recovery = (System.nanoTime() - published) / 1e9;
            boolean healthy = rig.dispatcherHealthy();
            int missed = answers.entrySet().stream()
                    .filter(e -> e.getKey() >= 500 || e.getKey() == FuzzedRequests.NO_ANSWER)
                    .mapToInt(Map.Entry::getValue)
                    .sum();
            int accepted = answers.entrySet().stream()
                    .filter(e -> e.getKey() >= 200 && e.getKey() < 300)
                    .mapToInt(Map.Entry::getValue)
                    .sum();
            return Row.of(
                            name(),
                            describe(size),
                            ids.size(),
                            outcomes,
                            0,
                            0,
                            rig.workersDownOrUnready() + (healthy ? 0 : 1),
                            0,
                            0,
                            recovery)
                    .withChecks(
                            String.format(
                                    "fuzzed calls answered %s (%d valid by chance), 5xx or none: %d",
                                    answers, accepted, missed),
                            missed);
        }
    }
}
