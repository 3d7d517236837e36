package dev.sdfleet.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.worker.testing.Fleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** A model under an s3:// prefix is downloaded once, whole, into the cache; a local folder is used as it is. */
class ModelSourceTest {

    @Test
    void anS3ModelIsDownloadedOnceIntoTheCache(@TempDir Path cache) throws IOException {
        TestInfra infra = Fleet.infra();
        infra.createBucket("models");
        Path model = TinyModels.sd();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(model);
                S3Client s3 = infra.s3Client()) {
            files = walk.filter(Files::isRegularFile).toList();
            for (Path file : files) {
                String key =
                        "exports/tiny-sd/" + model.relativize(file).toString().replace('\\', '/');
                s3.putObject(b -> b.bucket("models").key(key), RequestBody.fromFile(file));
            }
        }

        Path local = ModelSource.resolve("s3://models/exports/tiny-sd", cache, infra::s3Client);
        assertEquals(cache.resolve("models/exports/tiny-sd"), local);
        for (Path file : files) {
            assertArrayEquals(
                    Files.readAllBytes(file),
                    Files.readAllBytes(local.resolve(model.relativize(file))),
                    file.toString());
        }
        assertTrue(Files.exists(local.resolve(ModelSource.COMPLETE_MARKER)));

        Path again = ModelSource.resolve("s3://models/exports/tiny-sd/", cache, () -> {
            throw new AssertionError("a cached model is not downloaded again");
        });
        assertEquals(local, again);
        assertEquals("tiny-sd", ModelSource.idOf("s3://models/exports/tiny-sd/"));
    }

    @Test
    void aLocalFolderIsUsedInPlace() {
        Path model = TinyModels.sd();
        assertEquals(model, ModelSource.resolve(model.toString(), Path.of("unused"), () -> {
            throw new AssertionError("no S3 for a local folder");
        }));
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelSource.resolve("/no/such/model", Path.of("unused"), () -> null));
        assertEquals(64, WarmUp.nativeSide(model), "the tiny model's UNet sample_size is 8 latents");
    }
}
