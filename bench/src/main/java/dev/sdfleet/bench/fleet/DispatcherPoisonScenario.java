package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Poison records on every topic the dispatcher consumes (requests, results, cancels, its control topic; the cancels
 * topic is the workers' too), in rounds, each round followed by one valid request (HTTP and Kafka ingress in turn)
 * that must end with its image. The poison is {@link PoisonFeed}'s, plus on the requests topic the requests that Kafka
 * ingress must refuse: no request id, no tenant, a request id that is not the key, an unknown model, a NUL in the
 * prompt. Passes when every poison record has a dead letter at its position, every valid request has exactly one
 * completion event, and the dispatcher and the workers are alive and ready afterwards.
 */
final class DispatcherPoisonScenario implements FaultScenario {
    private static final String KEY = "poison";
    private static final int WORKERS = 1;
    /** A request as JSON, cut at random for the fuzzed records that look almost right. */
    private static final String TRUNCATED = new String(
            Codec.encode(GenerationRequest.builder("a red circle", GenerationSubmitter.MODEL)
                    .requestId(KEY)
                    .tenant(GenerationSubmitter.TENANT)
                    .build()),
            StandardCharsets.UTF_8);

    /** 3 minutes plus 20 ms per poison record: the dispatcher parks them in its transactions, thousands a second. */
    private static Duration timeout(int poison) {
        return Duration.ofMinutes(3).plusMillis(20L * poison);
    }

    /** One valid request per round; 4 rounds at least, one more per 500 poison records a topic. */
    private static int rounds(int size) {
        return 4 + size / 500;
    }

    @Override
    public String name() {
        return "dispatcher poison records";
    }

    @Override
    public String describe(int size) {
        return size + " per dispatcher input (requests, results, cancels, control)";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        try (DispatcherRig rig = DispatcherRig.start(bench, "dpoison", 2, WORKERS, DispatcherRig.QUICK_WEBHOOKS);
                PoisonFeed feed = new PoisonFeed(bench.kafkaClient())) {
            String requests = rig.scope().topics().requests();
            List<String> inputs = List.of(
                    requests,
                    rig.scope().topics().results(),
                    rig.scope().topics().cancels(),
                    rig.controlTopic());
            List<ProducerRecord<byte[], byte[]>> refused = refusedRequests(requests);
            int rounds = rounds(size);
            List<String> ids = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                int count = size * (round + 1) / rounds - size * round / rounds;
                for (String topic : inputs) {
                    feed.send(topic, KEY, topic.equals(requests) ? refused : List.of(), TRUNCATED, count);
                }
                ids.add(rig.submitter().mixed(round, "a red circle after poison round " + round, null));
            }
            Set<String> positions = feed.positions();
            long published = System.nanoTime();
            log.printf(
                    "dispatcher poison: %d poison records on %s, %d valid requests between them%n",
                    positions.size(), inputs, ids.size());
            JobOutcomes outcomes = rig.awaitCompletions(ids, timeout(positions.size()));
            double recovery = (System.nanoTime() - published) / 1e9;
            Set<String> missing = PoisonFeed.notDeadLettered(positions, rig.deadLetters(), timeout(positions.size()));
            if (!missing.isEmpty()) {
                log.println("  not dead-lettered: "
                        + missing.stream().sorted().limit(10).toList());
            }
            return Row.of(
                    name(),
                    describe(size),
                    ids.size(),
                    outcomes,
                    0,
                    0,
                    rig.workersDownOrUnready() + (rig.dispatcherHealthy() ? 0 : 1),
                    positions.size(),
                    missing.size(),
                    recovery);
        }
    }

    /** Well-formed JSON requests that Kafka ingress must refuse, each for one missing or wrong field. */
    private static List<ProducerRecord<byte[], byte[]>> refusedRequests(String topic) {
        String model = GenerationSubmitter.MODEL;
        String tenant = GenerationSubmitter.TENANT;
        List<String> bodies = List.of(
                request(Map.of("prompt", "no request id", "model", model, "tenant", tenant)),
                request(Map.of("request_id", KEY, "prompt", "no tenant", "model", model)),
                request(Map.of("request_id", "not-the-key", "prompt", "p", "model", model, "tenant", tenant)),
                request(Map.of("request_id", KEY, "prompt", "p", "model", "no-such-model", "tenant", tenant)),
                request(Map.of("request_id", KEY, "prompt", "a\u0000b", "model", model, "tenant", tenant)));
        return bodies.stream()
                .map(body -> new ProducerRecord<>(
                        topic,
                        null,
                        KEY.getBytes(StandardCharsets.UTF_8),
                        body.getBytes(StandardCharsets.UTF_8),
                        new RecordHeaders()))
                .toList();
    }

    private static String request(Map<String, String> fields) {
        StringBuilder json = new StringBuilder("{\"schema_version\":1");
        fields.forEach((name, value) -> json.append(",\"")
                .append(name)
                .append("\":\"")
                .append(value.replace("\u0000", "\\u0000"))
                .append('"'));
        return json.append('}').toString();
    }
}
