package dev.sdfleet.bench.kafka;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Benchmark;
import dev.sdfleet.devstack.EmbeddedKafka;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./sdfleet bench share-groups}: can GPU workers take jobs from a Kafka share group (KIP-932) instead of a
 * consumer group, and so outnumber a topic's partitions? Several share consumers, each running one long "job" at a
 * time (a sleep), read a ONE-partition topic on the embedded broker, in two ways:
 *
 * <ul>
 *   <li><b>renew</b>: the consumer polls every 500 ms while it works and renews the job's acquisition lock (RENEW),
 *       as the KafkaShareConsumer documentation shows for jobs longer than the lock. A share consumer cannot pause,
 *       so those polls acquire further jobs, which a busy worker can only RELEASE (each release counts a delivery);
 *   <li><b>long-lock</b>: the consumer does not poll while it works; the group's lock outlasts the longest job.
 * </ul>
 *
 * It counts jobs finished, jobs never finished (archived by the broker's delivery limit, or still locked when the run
 * gives up), jobs run by two workers at once, and the highest delivery count seen. This is the measurement behind the
 * worker's choice of a consumer group (worker README, "Why not Kafka share groups").
 */
public final class ShareGroupTrial {
    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrap;
    private final PrintStream log;

    private ShareGroupTrial(String bootstrap, PrintStream log) {
        this.bootstrap = bootstrap;
        this.log = log;
    }

    public static Benchmark benchmark() {
        return new Benchmark(
                "share-groups",
                "share-group workers on a one-partition topic: jobs lost, run twice, delivery counts (renew vs long lock)",
                """
                  --workers N      share consumers, one job at a time each (default 3)
                  --jobs N         jobs published (default 12)
                  --job-ms N       how long a job runs (default 3000)
                  --lock-ms N      the group's acquisition lock for the renew way (default 1000; the long-lock way
                                   uses twice the job time)
                """,
                Set.of("workers", "jobs", "job-ms", "lock-ms"),
                Set.of(),
                (args, report, log) -> {
                    int workers = args.getInt("workers", 3);
                    int jobs = args.getInt("jobs", 12);
                    long jobMs = args.getLong("job-ms", 3000);
                    long lockMs = args.getLong("lock-ms", 1000);
                    try (EmbeddedKafka kafka = EmbeddedKafka.builder()
                            .property("share.coordinator.state.topic.replication.factor", "1")
                            .property("share.coordinator.state.topic.min.isr", "1")
                            .property("group.share.min.record.lock.duration.ms", "1000")
                            .start()) {
                        ShareGroupTrial trial = new ShareGroupTrial(kafka.bootstrapServers(), log);
                        kafka.createTopics(Map.of(topic("renew"), 1, topic("long-lock"), 1));
                        trial.run("renew", true, workers, jobs, jobMs, lockMs, report);
                        trial.run("long-lock", false, workers, jobs, jobMs, 2 * jobMs, report);
                    }
                });
    }

    /** What one way of consuming did to the jobs. */
    private static final class Tally {
        final Map<String, String> finishedBy = new ConcurrentHashMap<>();
        final Map<String, String> runningOn = new ConcurrentHashMap<>();
        final AtomicInteger ranTwiceAtOnce = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final AtomicInteger maxDeliveries = new AtomicInteger();
    }

    private void run(String way, boolean renew, int workers, int jobs, long jobMs, long lockMs, BenchReport report)
            throws Exception {
        String group = "share-trial-" + way;
        configureGroup(group, lockMs);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < jobs; i++) {
                producer.send(new ProducerRecord<>(topic(way), way + "-" + i)).get();
            }
        }
        Tally tally = new Tally();
        long started = System.nanoTime();
        // Enough for every job to run twice over on one worker: what is not finished by then is not coming.
        long giveUpAt = started + Duration.ofMillis(2 * jobMs * jobs).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String name = way + "-w" + w;
                running.add(pool.submit(() -> {
                    consume(group, topic(way), name, renew, jobs, jobMs, giveUpAt, tally);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int lost = jobs - tally.finishedBy.size();
        log.printf("%s: %d of %d jobs finished in %.1f s%n", way, tally.finishedBy.size(), jobs, seconds);
        report.row(
                way + ": " + workers + " workers, 1 partition, " + jobs + " jobs of " + jobMs + " ms, lock " + lockMs
                        + " ms",
                "%d finished, %d never finished, %d run by two workers at once, %d releases, max delivery count %d, %.1f s",
                tally.finishedBy.size(),
                lost,
                tally.ranTwiceAtOnce.get(),
                tally.released.get(),
                tally.maxDeliveries.get(),
                seconds);
        report.figure(way + "_finished", tally.finishedBy.size());
        report.figure(way + "_never_finished", lost);
        report.figure(way + "_run_twice_at_once", tally.ranTwiceAtOnce.get());
        report.figure(way + "_max_delivery_count", tally.maxDeliveries.get());
    }

    private void configureGroup(String group, long lockMs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.GROUP, group),
                            List.of(
                                    // The default "latest" would skip the jobs published before the first read.
                                    set("share.auto.offset.reset", "earliest"),
                                    set("share.record.lock.duration.ms", Long.toString(lockMs)))))
                    .all()
                    .get();
        }
    }

    /** Each way reads a topic of its own: one partition, only its own jobs. */
    private static String topic(String way) {
        return "share-trial." + way;
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private void consume(
            String group, String topic, String name, boolean renew, int jobs, long jobMs, long giveUpAt, Tally tally) {
        Map<String, Object> props = Map.of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                group,
                "share.acknowledgement.mode",
                "explicit",
                "share.acquire.mode",
                "record_limit",
                "max.poll.records",
                "1",
                "max.poll.interval.ms",
                Long.toString(4 * jobMs + 60_000));
        try (KafkaShareConsumer<String, String> consumer =
                new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (tally.finishedBy.size() < jobs && System.nanoTime() < giveUpAt) {
                ConsumerRecord<String, String> job = null;
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    job = record;
                }
                if (job == null) {
                    continue;
                }
                work(consumer, name, renew, job, jobMs, giveUpAt, tally);
            }
            consumer.commitSync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.println(name + " failed: " + e);
        }
    }

    /** Runs one job: the renew way polls (and renews) while it works, the long-lock way only sleeps. */
    private void work(
            KafkaShareConsumer<String, String> consumer,
            String name,
            boolean renew,
            ConsumerRecord<String, String> job,
            long jobMs,
            long giveUpAt,
            Tally tally)
            throws InterruptedException {
        tally.maxDeliveries.accumulateAndGet(
                job.deliveryCount().map(Short::intValue).orElse(1), Math::max);
        if (tally.runningOn.putIfAbsent(job.value(), name) != null) {
            tally.ranTwiceAtOnce.incrementAndGet();
        }
        long done = System.nanoTime() + Duration.ofMillis(jobMs).toNanos();
        ConsumerRecord<String, String> current = job;
        // Only a record returned by the latest poll may be acknowledged: a renewed one comes back in a later poll.
        boolean owed = true;
        while (renew && (System.nanoTime() < done || !owed) && System.nanoTime() < giveUpAt) {
            if (owed && System.nanoTime() < done) {
                consumer.acknowledge(current, AcknowledgeType.RENEW);
                owed = false;
            }
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                if (record.offset() == job.offset()) {
                    current = record;
                    owed = true;
                } else {
                    tally.maxDeliveries.accumulateAndGet(
                            record.deliveryCount().map(Short::intValue).orElse(1), Math::max);
                    consumer.acknowledge(record, AcknowledgeType.RELEASE); // busy: no pause in a share consumer
                    tally.released.incrementAndGet();
                }
            }
        }
        long left = done - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
        if (owed) {
            consumer.acknowledge(current, AcknowledgeType.ACCEPT);
            consumer.commitSync();
            tally.finishedBy.putIfAbsent(job.value(), name);
        }
        tally.runningOn.remove(job.value(), name);
    }
}
