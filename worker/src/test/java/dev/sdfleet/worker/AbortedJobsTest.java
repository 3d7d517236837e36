package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher publishes jobs in exactly-once transactions; a job whose transaction was aborted must never run.
 * The aborted job goes first on the partition and a committed one after it: a worker reading uncommitted records
 * would run the aborted one before the committed one, so once the committed job's result is in, the aborted job's
 * absence shows it was skipped.
 */
class AbortedJobsTest {
    private static final String KEY = "one-partition";

    @Test
    void aJobOfAnAbortedTransactionNeverRuns() throws Exception {
        try (Fleet fleet = new Fleet("aborted");
                KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.bootstrap(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, fleet.groupId() + "-dispatcher",
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            Job aborted = TestJobs.job("req-aborted", 0, "a red circle on a blue background", 1);
            transactional.initTransactions();
            transactional.beginTransaction();
            transactional
                    .send(new ProducerRecord<>(
                            fleet.topics().jobs(), KEY.getBytes(StandardCharsets.UTF_8), Codec.encode(aborted)))
                    .get();
            transactional.abortTransaction();
            Job committed = TestJobs.job("req-committed", 0, "a green square on a white background", 2);
            fleet.publishWithKey(KEY, committed);

            fleet.start(fleet.config("w-aborted").build());

            JobResult result = fleet.awaitResult(committed.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertTrue(
                    fleet.results().all(Duration.ofMillis(500)).stream()
                            .noneMatch(r -> r.jobId().equals(aborted.jobId())),
                    "the aborted job ran");
            assertTrue(fleet.keys("images/req-aborted/").isEmpty(), "the aborted job's image was stored");
            // The partition ends in transaction markers the worker never receives as records; it still commits its
            // end, or KEDA would see a lag of 1 for ever and never scale the workers to zero.
            Fleet.await("the group's lag on the jobs topic to reach 0", () -> fleet.jobsLag() == 0);
        }
    }
}
