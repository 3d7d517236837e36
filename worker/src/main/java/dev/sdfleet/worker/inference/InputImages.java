package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.InitImage;
import dev.sdfleet.pipeline.InpaintMask;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.protocol.ImageInput;
import dev.sdfleet.protocol.Job;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A job's init image and mask as the pipeline takes them: inline PNGs decoded, S3 keys read from the fleet's bucket
 * and decoded, sizes checked against the job. What cannot be used fails the job with {@code INVALID_INPUT_IMAGE}
 * (not retryable: the same job would fail again); an S3 that cannot be reached or answers 5xx fails it with
 * {@code STORAGE_UNAVAILABLE}, retryable.
 *
 * <p>Only keys under the job's own tenant's {@code inputs/<tenant>/} are read: the protocol already refuses other
 * keys when the job is decoded, and this checks again before any read.
 */
public final class InputImages {
    /** The largest input object read from S3; a larger one is refused without reading it all. */
    public static final long MAX_OBJECT_BYTES = 32L * 1024 * 1024;

    /** Reads one object of the fleet's bucket, whole. */
    @FunctionalInterface
    public interface ObjectReader {
        /**
         * @throws S3Exception when S3 answers with an error (404 for a missing object)
         * @throws SdkClientException when S3 cannot be reached
         */
        byte[] read(String key, long maxBytes);
    }

    /** For a worker without S3 inputs (tests): every key fails the job. */
    public static final InputImages INLINE_ONLY = new InputImages((key, max) -> {
        throw new InputImageException("this worker reads no S3 inputs", false);
    });

    private final ObjectReader objects;

    public InputImages(ObjectReader objects) {
        this.objects = objects;
    }

    /**
     * The pipeline's start image for {@code job} (with its mask when inpainting), or null for text-to-image.
     *
     * @throws InputImageException when an image cannot be read or used
     */
    public InitImage of(Job job) {
        if (job.initImage() == null) {
            return null;
        }
        RgbImage image = read("init_image", job, job.initImage());
        InpaintMask mask = job.maskImage() == null ? null : InpaintMask.of(read("mask_image", job, job.maskImage()));
        return new InitImage(image, job.strength(), mask);
    }

    private RgbImage read(String field, Job job, ImageInput input) {
        if (!input.readableBy(job.tenant())) {
            throw new InputImageException(
                    field + ".s3_key " + input.s3Key() + " is not under " + ImageInput.S3_KEY_PREFIX + job.tenant()
                            + "/",
                    false);
        }
        byte[] png = input.hasData() ? input.decodedData() : fetch(field, input.s3Key());
        RgbImage image;
        try {
            image = PngDecoder.decode(png);
        } catch (IllegalArgumentException e) {
            throw new InputImageException(field + " is not a decodable PNG: " + e.getMessage(), false);
        }
        if (image.width() != job.width() || image.height() != job.height()) {
            throw new InputImageException(
                    field + " is " + image.width() + "x" + image.height() + " but the job is " + job.width() + "x"
                            + job.height() + " (images are not resized)",
                    false);
        }
        return image;
    }

    private byte[] fetch(String field, String key) {
        try {
            return objects.read(key, MAX_OBJECT_BYTES);
        } catch (S3Exception e) {
            int status = e.statusCode();
            boolean serverSide = status >= 500 || status == 429;
            throw new InputImageException(
                    field + " s3://" + key + " could not be read: " + status + " "
                            + (e.awsErrorDetails() == null
                                    ? e.getMessage()
                                    : e.awsErrorDetails().errorCode()),
                    serverSide);
        } catch (SdkClientException e) {
            throw new InputImageException(field + " s3://" + key + ": S3 unreachable: " + e.getMessage(), true);
        }
    }
}
