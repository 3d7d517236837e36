package dev.sdfleet.dispatcher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.dispatcher.state.StateJson;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * The owner of a request can be gone while the others' metadata still names it (it stopped, and the group has not
 * rebalanced yet). A call forwarded there meets a refused connection, a checked exception that {@code await()}
 * rethrows as it is: the caller must get the API's "retry" (503 with Retry-After), never a 500.
 */
class ForwarderTest {

    @Test
    void anOwnerThatIsGoneIsAnswered503WithRetryAfter() throws Exception {
        int deadPort = FreePorts.pick(); // nothing listens there
        Vertx vertx = Vertx.vertx();
        try {
            int port = FreePorts.pick();
            vertx.deployVerticle(
                            new VerticleBase() {
                                @Override
                                public Future<?> start() {
                                    Forwarder forwarder = new Forwarder(vertx.createHttpClient());
                                    Router router = Router.router(vertx);
                                    router.get("/v1/generations/:id")
                                            .handler(
                                                    ctx -> forwarder.forward(ctx, new HostInfo("127.0.0.1", deadPort)));
                                    return vertx.createHttpServer()
                                            .requestHandler(router)
                                            .listen(port);
                                }
                            },
                            new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD))
                    .await();

            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> answer = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/generations/req-1"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, answer.statusCode(), answer.body());
                assertEquals("1", answer.headers().firstValue("retry-after").orElse(null));
                JsonNode problem = StateJson.MAPPER.readTree(answer.body());
                assertEquals("unavailable", problem.get("title").asText());
            }
        } finally {
            vertx.close().await();
        }
    }
}
