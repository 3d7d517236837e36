package dev.sdfleet.worker.inference;

/**
 * Where a job's record sits in Kafka: what the consumer loop commits once the job's result is acknowledged. Kept
 * free of Kafka types so that the inference side does not depend on the client.
 *
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 */
public record RecordPosition(String topic, int partition, long offset) {
    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
