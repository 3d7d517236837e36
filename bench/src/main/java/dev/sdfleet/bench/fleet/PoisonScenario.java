package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.WorkerProcess;
import dev.sdfleet.worker.testing.PoisonRecords;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Poison records on every topic the workers consume (the model's three priority lanes): every kind the worker tests
 * know (65 headers, an empty header name, a null header value, wrong types, another schema version, garbage
 * CloudEvents headers, a tombstone, a value near the record limit), then fuzzed bytes and truncated JSON, keyed like
 * the valid job published after them on each lane. Passes when every poison record has a dead letter at its position
 * and each valid job behind them succeeds.
 */
final class PoisonScenario implements FaultScenario {
    /**
     * On 2 cores a worker dead-letters a backlog at about 350–700 records/s on its high lane and about 800–1,200/s on
     * the lower lanes (BENCHMARKS.md, "Fault campaign"; 30,000 records took 31 s). The wait grows with the size, with
     * a wide margin for a busy machine: 2 minutes plus 10 ms per poison record.
     */
    private static Duration timeout(int size) {
        return Duration.ofMinutes(2).plusMillis(10L * 3 * size);
    }

    private static final String KEY = "poison";

    @Override
    public String name() {
        return "poison records";
    }

    @Override
    public String describe(int size) {
        return size + " per jobs lane (3 lanes)";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("poison", 1);
        List<String> lanes = Topics.withPrefix(scope.prefix()).jobLanesFor(bench.modelId());
        JobFactory factory = new JobFactory(bench.modelId(), 64, 4, 7.5);
        try (TopicWatcher<DeadLetter> dlq =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().dlq(), DeadLetter.class);
                ScenarioTopics io = ScenarioTopics.open(bench, scope);
                KafkaProducer<byte[], byte[]> raw = rawProducer(bench.kafkaClient());
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, "poison-worker").threads(1).build())) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            Random random = new Random(42);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String lane : lanes) {
                List<PoisonRecords.Poison> kinds = PoisonRecords.all(lane, KEY);
                for (int i = 0; i < size; i++) {
                    sent.add(raw.send(poison(lane, kinds, i, random)));
                }
            }
            Set<String> positions = new HashSet<>();
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata at = f.get();
                positions.add(at.topic() + "/" + at.partition() + "/" + at.offset());
            }
            long published = System.nanoTime();
            List<String> jobIds = new ArrayList<>();
            Priority[] priorities = {Priority.HIGH, Priority.NORMAL, Priority.LOW};
            for (int i = 0; i < lanes.size(); i++) {
                Job job = factory.job(KEY, i, lanes.size(), "a red circle on a blue background", i, priorities[i]);
                publisher.publish(job, lanes.get(i));
                jobIds.add(job.jobId());
            }
            log.printf("poison: %d poison records on %s, then one valid job per lane%n", positions.size(), lanes);
            JobOutcomes outcomes = JobOutcomes.await(jobIds, results, progress, timeout(size), Duration.ofSeconds(1));
            double recovery = (System.nanoTime() - published) / 1e9;
            long deadline = System.nanoTime() + timeout(size).toNanos();
            Set<String> missing = new HashSet<>(positions);
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                dlq.all(Duration.ofMillis(500))
                        .forEach(s -> missing.remove(s.message().topic() + "/"
                                + s.message().partition() + "/" + s.message().offset()));
            }
            return Row.of(
                    name(),
                    describe(size),
                    jobIds.size(),
                    outcomes,
                    0,
                    0,
                    worker.isAlive() ? 0 : 1,
                    positions.size(),
                    missing.size(),
                    recovery);
        }
    }

    /**
     * The {@code i}-th poison record of a lane: the known kinds first (the near-limit one only once: 10,000 of them
     * would be 10 GB), then random bytes and truncated JSON jobs with odd headers, alternating.
     */
    private static ProducerRecord<byte[], byte[]> poison(
            String lane, List<PoisonRecords.Poison> kinds, int i, Random random) {
        if (i < kinds.size()) {
            return kinds.get(i).record();
        }
        byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        int headerCount = random.nextInt(70);
        for (int h = 0; h < headerCount; h++) {
            headers.add(random.nextInt(10) == 0 ? "" : "h" + h, random.nextInt(10) == 0 ? null : new byte[] {(byte) h});
        }
        byte[] value;
        if (i % 2 == 0) {
            value = new byte[1 + random.nextInt(4096)];
            random.nextBytes(value);
        } else {
            String json = "{\"schema_version\":1,\"job_id\":\"x/" + i + "\",\"request_id\":\"x\",\"prompt\":\"a";
            value = json.substring(0, 1 + random.nextInt(json.length() - 1)).getBytes(StandardCharsets.UTF_8);
        }
        return new ProducerRecord<>(lane, null, key, value, headers);
    }

    /** A producer that sends whatever bytes it is given, as kcat would, with the stack's client settings. */
    private static KafkaProducer<byte[], byte[]> rawProducer(Map<String, Object> kafkaClient) {
        Map<String, Object> props = new java.util.HashMap<>(kafkaClient);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
