package dev.sdfleet.worker;

import java.util.List;

/**
 * The JVM options a worker process runs with (the images' {@code JAVA_TOOL_OPTIONS}, the benchmarks' child workers):
 * declared once here, checked against the Dockerfiles by the infra checks.
 *
 * <p>A fixed heap, touched at start. The model lives in ONNX Runtime's native memory; the Java heap only holds each
 * job's short-lived pictures and messages (about 2 MB of garbage per 256×256 image). With the JVM's default heap (a
 * quarter of the machine) G1 keeps growing its young generation into pages it has never touched, so a worker's RSS
 * rose by that garbage with every image, 1.8 MB per image for hundreds of images ({@code BENCHMARKS.md}, "soak"),
 * though nothing leaked. Bounded and pre-touched, the heap costs its size at start and RSS stays flat from the first
 * image. 512 MB holds a micro-batch of the largest images the API allows.
 */
public final class WorkerJvm {
    /** The heap options: bounded, fixed and pre-touched. */
    public static final List<String> HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");

    private WorkerJvm() {}
}
