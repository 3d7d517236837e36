package dev.sdfleet.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server (S3Proxy) running in this JVM on 127.0.0.1, checking AWS V2/V4 signatures against one access
 * key. Objects live under a data folder ({@code <folder>/<bucket>/<key>}) or, without one, in memory.
 *
 * <p>{@link #stop()} and {@link #start()} take the server down and bring it back on the same port with the same
 * objects, to simulate an S3 outage. {@link #close()} stops it for good.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);
    private static final long READY_TIMEOUT_MILLIS = 10_000;

    private final BlobStore blobStore;
    private final Path dataDir;
    private final S3Credentials credentials;
    private int port;
    private S3Proxy proxy;
    private Duration startTime;
    private boolean closed;

    private EmbeddedS3(Builder builder) {
        this.credentials = builder.credentials;
        this.dataDir = builder.dataDir;
        this.port = builder.port;
        // The blob store outlives stop()/start(): with the in-memory backend that is what keeps the objects.
        this.blobStore = dataDir == null ? new TransientNio2BlobStore() : filesystemStore(dataDir);
        try {
            start();
        } catch (RuntimeException e) {
            blobStore.close();
            throw e;
        }
    }

    /** Starts configuring a server; every setting has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint for S3 clients, e.g. {@code http://127.0.0.1:9000}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The port, fixed after the first start even when 0 was asked for. */
    public int port() {
        return port;
    }

    /** The keys that signed requests must use. */
    public S3Credentials credentials() {
        return credentials;
    }

    /** The folder holding the buckets, or {@code null} for the in-memory backend. */
    public Path dataDir() {
        return dataDir;
    }

    /** Wall time of the last start, until the server reported STARTED. */
    public Duration startTime() {
        return startTime;
    }

    /** Whether the server is listening now. */
    public synchronized boolean isRunning() {
        return proxy != null;
    }

    /** Creates the bucket unless it exists. */
    public void createBucket(String bucket) {
        S3Clients.createBucket(endpoint(), credentials, bucket);
    }

    /** A new client for this server; the caller closes it. */
    public S3Client client() {
        return S3Clients.client(endpoint(), credentials);
    }

    /** (Re)starts listening on the same port; does nothing while running. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("EmbeddedS3 is closed");
        }
        if (proxy != null) {
            return;
        }
        long started = System.nanoTime();
        S3Proxy candidate = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, credentials.accessKey(), credentials.secretKey())
                // Jetty's graceful stop (30 s at most) waited 1-2 s for idle keep-alive connections; an outage
                // simulation wants the port closed now, and clients retry what was cut off.
                .stopTimeout(0)
                .build();
        try {
            candidate.start();
            awaitStarted(candidate);
        } catch (Exception e) {
            stopQuietly(candidate);
            throw new IllegalStateException("S3Proxy did not start on port " + port + ": " + e.getMessage(), e);
        }
        proxy = candidate;
        port = candidate.getPort();
        startTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info(
                "S3 server ready on {} in {} ms ({})",
                endpoint(),
                startTime.toMillis(),
                dataDir == null ? "in memory" : "data " + dataDir);
    }

    /** Stops listening but keeps the port and the objects for a later {@link #start()}. */
    public synchronized void stop() {
        if (proxy != null) {
            long started = System.nanoTime();
            stopQuietly(proxy);
            proxy = null;
            LOG.info(
                    "S3 server on port {} stopped in {} ms",
                    port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** Stops the server and releases the blob store; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            stop();
            closed = true;
            blobStore.close();
        }
    }

    private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("state " + proxy.getState() + " after " + READY_TIMEOUT_MILLIS + " ms");
            }
            Thread.sleep(5);
        }
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("S3Proxy stop failed", e);
        }
    }

    private static BlobStore filesystemStore(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FilesystemNio2BlobStore(dir.toAbsolutePath().toString());
    }

    /** Settings for {@link EmbeddedS3}. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private S3Credentials credentials = S3Credentials.LOCAL;

        private Builder() {}

        /** Port; 0 (the default) picks a free one, kept across {@link EmbeddedS3#stop()}/{@link EmbeddedS3#start()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Folder for the filesystem backend; {@code null} (the default) keeps objects in memory. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Keys that signed requests must use; default {@link S3Credentials#LOCAL}. */
        public Builder credentials(S3Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Starts the server and waits until it listens. */
        public EmbeddedS3 start() {
            return new EmbeddedS3(this);
        }
    }
}
