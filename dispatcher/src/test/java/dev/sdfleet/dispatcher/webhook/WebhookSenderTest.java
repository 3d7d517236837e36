package dev.sdfleet.dispatcher.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.NoQueuedWork;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.TopicRecorder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sender against real local HTTP receivers that misbehave on the socket: one that trickles its answer a byte at
 * a time, one that streams an endless body. Each costs one try bounded by the deadline and the body cap; the tries'
 * reports are read from the real control topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookSenderTest {
    private final String controlTopic = "sender-" + UUID.randomUUID().toString().substring(0, 8) + ".control";
    private Vertx vertx;
    private KafkaProducer<String, byte[]> producer;
    private TopicRecorder recorder;
    private WebhookSender sender;

    @BeforeAll
    void start() {
        SharedInfra.get().createTopics(Map.of(controlTopic, 1));
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        SharedInfra.get().kafkaBootstrap()),
                new StringSerializer(),
                new ByteArraySerializer());
        recorder = new TopicRecorder(SharedInfra.get().kafkaBootstrap(), List.of(controlTopic));
        vertx = Vertx.vertx();
        sender = new WebhookSender(
                WebhookSettings.defaults().withLoopbackAllowed(true).withTimeout(Duration.ofSeconds(2)),
                TestTenants.tenants(),
                producer,
                controlTopic,
                new DispatcherMetrics(new NoQueuedWork()),
                Clock.systemUTC());
        vertx.deployVerticle(sender, new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD))
                .await();
    }

    @AfterAll
    void stop() throws Exception {
        vertx.close().await();
        recorder.close();
        producer.close();
    }

    @Test
    void aTricklingReceiverCostsOneTryCutAtTheDeadline() throws Exception {
        try (RawReceiver trickle = new RawReceiver(RawReceiver::trickle)) {
            Delivery delivery = delivery("trickle", trickle.url());
            sender.submit("trickle", "acme", delivery);
            ControlMessage report = report(delivery.id());
            assertNull(report.attempt().statusCode(), "no answer came in time");
            assertTrue(
                    report.attempt().error().contains("Timeout"),
                    report.attempt().error());
            Eventually.until("the receiver sees the call closed", trickle.cutShort::get);
            assertEquals(1, trickle.connections.get());
        }
    }

    @Test
    void anEndlessBodyIsReadUpToTheCapThenTheConnectionIsClosed() throws Exception {
        try (RawReceiver flood = new RawReceiver(RawReceiver::flood)) {
            Delivery delivery = delivery("flood", flood.url());
            sender.submit("flood", "acme", delivery);
            ControlMessage report = report(delivery.id());
            assertEquals(200, report.attempt().statusCode(), "the status decides; the body is discarded");
            Eventually.until("the receiver sees the call closed", flood.cutShort::get);
            assertTrue(
                    flood.written.get() < 64L * 1024 * 1024,
                    "read a bounded part of the endless body: " + flood.written.get() + " bytes written");
        }
    }

    @Test
    void oneWebhookIdIsNeverSentTwiceAtOnce() throws Exception {
        try (RawReceiver trickle = new RawReceiver(RawReceiver::trickle)) {
            Delivery delivery = delivery("twice", trickle.url());
            sender.submit("twice", "acme", delivery);
            sender.submit("twice", "acme", delivery); // the same try handed out again while the first runs
            report(delivery.id());
            Eventually.until("the first call closed", trickle.cutShort::get);
            assertEquals(1, trickle.connections.get(), "one call at a time per webhook-id");
            assertEquals(1, reports(delivery.id()).size());

            sender.submit("twice", "acme", delivery); // once the first is over, a new try goes out
            Eventually.until("a second call", () -> trickle.connections.get() == 2);
        }
    }

    private static Delivery delivery(String requestId, String url) {
        return Delivery.pending(
                "msg_" + requestId + "_" + UUID.randomUUID(),
                "generation.completed",
                url,
                "{\"type\":\"generation.completed\"}",
                Instant.now());
    }

    private ControlMessage report(String deliveryId) {
        Eventually.until("a report of " + deliveryId, () -> !reports(deliveryId).isEmpty());
        return reports(deliveryId).get(0);
    }

    private List<ControlMessage> reports(String deliveryId) {
        return recorder.records(controlTopic, r -> true).stream()
                .map(r -> StateJson.read(r.value(), ControlMessage.class))
                .filter(m -> deliveryId.equals(m.deliveryId()))
                .toList();
    }

    /** A plain-socket HTTP receiver whose answer is written by {@code answer}, one thread per connection. */
    static final class RawReceiver implements AutoCloseable {
        interface Answer {
            void write(RawReceiver receiver, OutputStream out) throws IOException, InterruptedException;
        }

        final AtomicInteger connections = new AtomicInteger();
        final AtomicLong written = new AtomicLong();
        /** Whether the client closed the connection before the answer was complete. */
        final AtomicBoolean cutShort = new AtomicBoolean();

        private final ServerSocket server;

        RawReceiver(Answer answer) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(socket, answer));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
        }

        private void serve(Socket socket, Answer answer) {
            try (socket) {
                readHead(socket.getInputStream());
                answer.write(this, socket.getOutputStream());
            } catch (IOException e) {
                cutShort.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The status line and headers, one byte every 300 ms: 40 s for the whole answer. */
        static void trickle(RawReceiver receiver, OutputStream out) throws IOException, InterruptedException {
            byte[] answer = "HTTP/1.1 204 No Content\r\nX-Slow: yes\r\nX-Slower: yes\r\nX-Slowest: yes\r\n"
                    .repeat(2)
                    .concat("\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (byte b : answer) {
                out.write(b);
                out.flush();
                receiver.written.incrementAndGet();
                Thread.sleep(300);
            }
        }

        /** A 200 with a chunked body that never ends. */
        static void flood(RawReceiver receiver, OutputStream out) throws IOException {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            while (true) {
                out.write(chunk);
                receiver.written.addAndGet(chunk.length);
            }
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the request's head ended");
                }
                matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
