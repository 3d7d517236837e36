package dev.sdfleet.dispatcher.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.support.NoQueuedWork;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * The processing handler parks what is the record's fault and never what is Kafka's: a request processed while the
 * broker was away (its jobs' send timed out) must be redone, not dead-lettered with its half-done state committed.
 */
class DeadLetterHandlerTest {
    private static final String REQUESTS = "sdfleet.requests";
    private static final byte[] VALUE = "{\"prompt\":\"a red circle\"}".getBytes(StandardCharsets.UTF_8);

    private final DeadLetterHandler handler = new DeadLetterHandler();

    DeadLetterHandlerTest() {
        handler.configure(Map.of(
                DeadLetterHandler.SINK_CONFIG,
                new DeadLetterHandler.Sink(
                        Map.of(REQUESTS, "requests"),
                        "dispatcher-1",
                        "/sdfleet/dispatcher",
                        new DispatcherMetrics(new NoQueuedWork()),
                        Clock.systemUTC()),
                StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                "sdfleet.dlq"));
    }

    @Test
    void aBadRecordIsParked() {
        ProcessingExceptionHandler.Response response = handler.handleError(
                new Context(), new Record<>("r1", VALUE, 0L), new ValidationException("prompt", "is required"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
        List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> parked =
                response.deadLetterQueueRecords();
        assertEquals(1, parked.size());
        DeadLetter letter = Codec.decode(parked.get(0).value(), DeadLetter.class);
        assertEquals(DeadLetterReason.INVALID_MESSAGE, letter.reason());
        assertEquals(REQUESTS, letter.topic());
    }

    @Test
    void aSendThatTimedOutWhileTheBrokerWasAwayFailsTheTaskInsteadOfParkingAValidRequest() {
        StreamsException sendFailed = new StreamsException(
                "Error encountered sending record to topic sdfleet.jobs.tiny-sd",
                new TimeoutException("Topic sdfleet.jobs.tiny-sd not present in metadata after 60000 ms."));
        ProcessingExceptionHandler.Response response =
                handler.handleError(new Context(), new Record<>("r1", VALUE, 0L), sendFailed);
        assertEquals(ProcessingExceptionHandler.Result.FAIL, response.result());
        assertEquals(List.of(), response.deadLetterQueueRecords());
    }

    /** Where the failing record came from, as Streams tells the handler. */
    private static final class Context implements ErrorHandlerContext {
        @Override
        public String topic() {
            return REQUESTS;
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 7;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
            return "dispatcher";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, 0);
        }

        @Override
        public long timestamp() {
            return 0;
        }

        @Override
        public byte[] sourceRawKey() {
            return "r1".getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] sourceRawValue() {
            return VALUE;
        }
    }
}
