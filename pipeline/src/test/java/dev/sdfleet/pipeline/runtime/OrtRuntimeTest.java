package dev.sdfleet.pipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ORT environment starts in a JVM with large system properties (a long class path): without the large-stack
 * thread, a 20,000-character property alone made the environment's creation die of SIGSEGV (exit 139).
 */
class OrtRuntimeTest {

    @Test
    void startsWithLargeSystemProperties() throws Exception {
        String padding = "x".repeat(20_000);
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-Dpadding=" + padding,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName()))
                .redirectErrorStream(true)
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("environment ready"), output);
    }

    /** Runs in the child JVM. */
    public static final class Child {
        public static void main(String[] args) {
            OrtRuntime.environment();
            System.out.println("environment ready");
        }
    }
}
