package dev.sdfleet.devstack;

import java.util.Objects;

/**
 * An S3 access key and secret. The defaults are for local servers only; MinIO needs at least 3 and 8 characters.
 *
 * @param accessKey the access key id (AWS_ACCESS_KEY_ID)
 * @param secretKey the secret access key (AWS_SECRET_ACCESS_KEY)
 */
public record S3Credentials(String accessKey, String secretKey) {
    /** The credentials the local fleet and the tests use unless told otherwise. */
    public static final S3Credentials LOCAL = new S3Credentials("sdfleet", "sdfleet-local-secret");

    public S3Credentials {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        if (accessKey.length() < 3 || secretKey.length() < 8) {
            throw new IllegalArgumentException("Access key needs >= 3 and secret >= 8 characters (MinIO's minimum)");
        }
    }

    /** Keeps the secret out of logs and assertion messages. */
    @Override
    public String toString() {
        return "S3Credentials[accessKey=" + accessKey + ", secretKey=***]";
    }
}
