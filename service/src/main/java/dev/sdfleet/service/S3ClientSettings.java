package dev.sdfleet.service;

import java.net.URI;

/**
 * How a service reaches S3, declared once for the workers (which store images) and the dispatcher (which presigns GET
 * URLs of them): the same variables mean the same thing in both, as {@link KafkaClientProperties} does for Kafka.
 * What each does with them (bucket, prefix, URL lifetime) stays with its own settings.
 */
public final class S3ClientSettings {
    public static final Setting<URI> ENDPOINT = Setting.uri(
                    "SDFLEET_S3_ENDPOINT",
                    "a custom S3 endpoint, e.g. `http://127.0.0.1:9000`; the dispatcher presigns image URLs for it, so"
                            + " give it as callers reach it (the host is signed)")
            .unsetMeans("AWS");
    public static final Setting<String> REGION = Setting.text("SDFLEET_S3_REGION", "the S3 signing region")
            .withDefault("us-east-1")
            .required();
    public static final Setting<String> ACCESS_KEY = Setting.text(
                    "SDFLEET_S3_ACCESS_KEY",
                    "a static S3 access key (with `SDFLEET_S3_SECRET_KEY`): the workers' writes the images, the"
                            + " dispatcher's may read them")
            .unsetMeans("the AWS default chain");
    public static final Setting<String> SECRET_KEY = Setting.text("SDFLEET_S3_SECRET_KEY", "the access key's secret")
            .unsetMeans("none")
            .secret();
    public static final Setting<Boolean> PATH_STYLE = Setting.flag(
                    "SDFLEET_S3_PATH_STYLE", "bucket in the path instead of the host name (local servers need it)")
            .withDefault(values -> values.get(ENDPOINT) != null, "true with an endpoint, else false");

    private S3ClientSettings() {}
}
