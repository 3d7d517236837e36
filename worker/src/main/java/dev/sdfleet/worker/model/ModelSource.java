package dev.sdfleet.worker.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Where a worker's model comes from: a local folder, or an {@code s3://bucket/prefix} that is downloaded once into a
 * cache folder ({@code <cache>/<bucket>/<prefix>}) and reused by every later start on that machine.
 *
 * <p>A download goes to a temporary folder first and is moved into place complete, with a marker file, so that a
 * worker killed half-way through never leaves a half model behind; several workers starting together on one machine
 * each download, and the first move wins.
 */
public final class ModelSource {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSource.class);
    /** Written last into a downloaded model folder: its presence means the download is complete. */
    static final String COMPLETE_MARKER = ".sdfleet-complete";

    private ModelSource() {}

    /** Whether {@code model} names an S3 location. */
    public static boolean isS3(String model) {
        return model.startsWith("s3://");
    }

    /** The model's id: the last segment of its folder or prefix ({@code /models/tiny-sd} gives {@code tiny-sd}). */
    public static String idOf(String model) {
        String trimmed = model.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }

    /**
     * The local folder of {@code model}, downloading it first if it is an S3 location not yet in the cache.
     *
     * @param s3 makes the client for a download (not called for a local folder or a cached model)
     */
    public static Path resolve(String model, Path cacheDir, Supplier<S3Client> s3) {
        if (!isS3(model)) {
            Path dir = Path.of(model);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("model folder " + dir.toAbsolutePath() + " does not exist");
            }
            return dir;
        }
        URI uri = URI.create(model);
        String bucket = uri.getHost();
        String prefix = uri.getPath().replaceAll("^/+|/+$", "");
        if (bucket == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("an S3 model must be s3://bucket/prefix, got " + model);
        }
        Path target = cacheDir.resolve(bucket).resolve(prefix).normalize();
        if (Files.exists(target.resolve(COMPLETE_MARKER))) {
            LOG.info("Model {} from the cache at {}", model, target);
            return target;
        }
        try (S3Client client = s3.get()) {
            return download(client, bucket, prefix, target);
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + model + " into " + target + " failed", e);
        }
    }

    private static Path download(S3Client s3, String bucket, String prefix, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempDirectory(target.getParent(), ".download-");
        try {
            long started = System.nanoTime();
            int files = 0;
            long bytes = 0;
            for (S3Object object : s3.listObjectsV2Paginator(
                            b -> b.bucket(bucket).prefix(prefix + "/"))
                    .contents()) {
                String relative = object.key().substring(prefix.length() + 1);
                if (relative.isEmpty() || relative.endsWith("/")) {
                    continue; // "folder" placeholder objects
                }
                Path file = temporary.resolve(relative).normalize();
                if (!file.startsWith(temporary)) {
                    throw new IOException("object key " + object.key() + " points outside the model folder");
                }
                Files.createDirectories(file.getParent());
                s3.getObject(b -> b.bucket(bucket).key(object.key()), ResponseTransformer.toFile(file));
                files++;
                bytes += object.size();
            }
            if (files == 0) {
                throw new IllegalArgumentException("no objects under s3://" + bucket + "/" + prefix + "/");
            }
            Files.createFile(temporary.resolve(COMPLETE_MARKER));
            moveIntoPlace(temporary, target);
            LOG.info(
                    "Downloaded s3://{}/{} ({} files, {} bytes) into {} in {} ms",
                    bucket,
                    prefix,
                    files,
                    bytes,
                    target,
                    (System.nanoTime() - started) / 1_000_000);
            return target;
        } finally {
            deleteTree(temporary);
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
            if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                // A folder without the marker is an interrupted download from before: replace it.
                deleteTree(target);
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            }
            // else another worker finished first: use its copy
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
