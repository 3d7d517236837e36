package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.devstack.DevStack;
import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.PngEncoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.testing.ImageJudge;
import dev.sdfleet.pipeline.testing.ShapeRenderer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Inpainting end to end on a local fleet (embedded Kafka and S3, one dispatcher, one worker of the tiny model): a
 * request POSTed with an inline init image and mask comes back as a stored image that keeps the unmasked pixels and
 * repaints the hole; a request naming another tenant's input object, and a malformed image, are refused with a
 * 400 naming the field (the worker refuses such a key too, unread: InpaintJobTest).
 */
class InpaintThroughTheFleetTest {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** The stated tolerance for kept pixels (the pipeline's InpaintingTest). */
    static final double KEPT_MEAN_TOLERANCE = 12;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anInlineInpaintingRequestAndAForeignKey(@TempDir Path root) throws Exception {
        RgbImage init =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
        byte[] mask = new byte[64 * 64 * 3];
        for (int y = 16; y < 48; y++) {
            Arrays.fill(mask, (y * 64 + 16) * 3, (y * 64 + 48) * 3, (byte) 255);
        }
        String initData = Base64.getEncoder().encodeToString(PngEncoder.encode(init, Map.of()));
        String maskData = Base64.getEncoder().encodeToString(PngEncoder.encode(new RgbImage(64, 64, mask), Map.of()));

        LocalFleet.Settings settings = new LocalFleet.Settings(root, 0, 0, 1, 0, 0, Path.of(CliTest.tinyModel()), 1, 1);
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            String url = fleet.dispatcher().baseUrl();
            String key = fleet.apiKey();

            ObjectNode body = CliTest.JSON
                    .createObjectNode()
                    .put("prompt", "a small yellow circle in the middle, purple background")
                    .put("model", fleet.modelId())
                    .put("steps", 20)
                    .put("seed", 1);
            body.putObject("init_image").put("data", initData);
            body.putObject("mask_image").put("data", maskData);
            JsonNode done = awaitFinished(url, key, post(url, key, body));
            assertEquals("completed", done.get("status").asText(), done.toString());
            JsonNode image = done.get("images").get(0);
            assertEquals(64, done.get("width").asInt(), "the init image's size");
            RgbImage out =
                    PngDecoder.decode(download(fleet.stack(), image.get("key").asText()));
            double kept = 0;
            double hole = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int d = 0;
                    for (int c = 0; c < 3; c++) {
                        int i = (y * 64 + x) * 3 + c;
                        d = Math.max(d, Math.abs((out.pixels()[i] & 0xFF) - (init.pixels()[i] & 0xFF)));
                    }
                    if (x >= 16 && x < 48 && y >= 16 && y < 48) {
                        hole += d / (32.0 * 32);
                    } else {
                        kept += d / (64.0 * 64 - 32 * 32);
                    }
                }
            }
            System.out.printf("through the fleet: kept mean %.2f, hole mean %.1f%n", kept, hole);
            assertTrue(kept <= KEPT_MEAN_TOLERANCE, "kept mean difference " + kept);
            assertTrue(hole > 20, "hole mean difference " + hole);
            assertEquals("yellow", ImageJudge.judge(out).colour());

            // Another tenant's object: well formed, but the job is this tenant's, so it is not read.
            try (S3Client s3 =
                    S3Clients.client(fleet.stack().s3Endpoint(), fleet.stack().credentials())) {
                s3.putObject(
                        b -> b.bucket(fleet.stack().bucket()).key("inputs/someone-else/start.png"),
                        RequestBody.fromBytes(Base64.getDecoder().decode(initData)));
            }
            ObjectNode foreign = body.deepCopy();
            foreign.remove("mask_image");
            foreign.put("width", 64).put("height", 64);
            foreign.putObject("init_image").put("s3_key", "inputs/someone-else/start.png");
            HttpResponse<String> foreignResponse = send(url, key, foreign);
            assertEquals(400, foreignResponse.statusCode(), foreignResponse.body());
            assertTrue(foreignResponse.body().contains("init_image.s3_key"), foreignResponse.body());
            assertEquals(LocalTenants.TENANT, "local", "the fleet's tenant is not someone-else");

            // Not a PNG: refused at admission, with the field.
            ObjectNode broken = body.deepCopy();
            broken.putObject("init_image").put("data", "bm90IGEgcG5n");
            HttpResponse<String> refused = send(url, key, broken);
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("init_image.data"), refused.body());
        }
    }

    private HttpResponse<String> send(String url, String key, JsonNode body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/generations"))
                        .header("authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String post(String url, String key, JsonNode body) throws Exception {
        HttpResponse<String> response = send(url, key, body);
        assertEquals(202, response.statusCode(), response.body());
        return CliTest.JSON.readTree(response.body()).get("id").asText();
    }

    private JsonNode awaitFinished(String url, String key, String id) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url + "/v1/generations/" + id))
                            .header("authorization", "Bearer " + key)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode view = CliTest.JSON.readTree(response.body());
            String status = view.path("status").asText();
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")) {
                return view;
            }
            assertTrue(System.nanoTime() < deadline, "request " + id + " did not finish: " + response.body());
            Thread.sleep(200);
        }
    }

    private static byte[] download(DevStack stack, String key) {
        try (S3Client s3 = S3Clients.client(stack.s3Endpoint(), stack.credentials())) {
            return s3.getObjectAsBytes(b -> b.bucket(stack.bucket()).key(key)).asByteArray();
        }
    }
}
