package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .mvn/jdk.sh}, the JDK search that {@code ./mvnw} (so the README's test command) and {@code ./sdfleet} share,
 * run by {@code sh} as they run it, over fake JDK folders: a machine whose default java is 17 with a newer JDK beside
 * it must build, and one with no JDK 21+ must get one line that says what to install.
 */
class JdkFinderTest {
    @TempDir
    Path dir;

    private Path jdks;
    private Path bin;

    @BeforeEach
    void fakeMachine() throws IOException, InterruptedException {
        jdks = Files.createDirectories(dir.resolve("jdks"));
        // A PATH with only the tools the script uses, so the machine's own java is not seen.
        bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("sed", "head", "readlink")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(which(tool)));
        }
    }

    @Test
    void takesTheNewestJdk21WhenJavaHomeIsOlder() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.15", true);
        fakeJdk("jdk-21", "21.0.7", true);
        Path newest = fakeJdk("jdk-25", "25.0.3", true);
        fakeJdk("jre-26", "26", false); // a runtime without javac cannot build

        Result found = find(old);

        assertEquals(0, found.exit(), found.err());
        assertEquals(newest.toString(), found.out().strip());
    }

    @Test
    void keepsJavaHomeWhenItIs21OrNewer() throws Exception {
        Path chosen = fakeJdk("jdk-21", "21.0.7", true);
        fakeJdk("jdk-25", "25.0.3", true);

        Result found = find(chosen);

        assertEquals(0, found.exit(), found.err());
        assertEquals(chosen.toString(), found.out().strip());
    }

    @Test
    void withoutAJdk21SaysWhatToInstallInOneLine() throws Exception {
        Path old = fakeJdk("jdk-17", "17.0.15", true);
        fakeJdk("jre-21", "21.0.7", false);

        Result found = find(old);

        assertEquals(1, found.exit());
        assertEquals("", found.out());
        List<String> lines = found.err().lines().toList();
        assertEquals(1, lines.size(), found.err());
        assertTrue(
                lines.get(0).contains("needs a JDK 21 or newer") && lines.get(0).contains("install"), lines.get(0));
    }

    private Path fakeJdk(String name, String version, boolean withJavac) throws IOException {
        Path home = Files.createDirectories(jdks.resolve(name).resolve("bin")).getParent();
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        executable(home.resolve("bin/java"));
        if (withJavac) {
            executable(home.resolve("bin/javac"));
        }
        return home;
    }

    private static void executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Result(int exit, String out, String err) {}

    private Result find(Path javaHome) throws IOException, InterruptedException {
        Path script = TinyModels.repoRoot().resolve(".mvn/jdk.sh");
        ProcessBuilder builder = new ProcessBuilder(
                "/bin/sh", "-c", ". \"$0\" && sdfleet_find_jdk && printf '%s\\n' \"$JAVA_HOME\"", script.toString());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(Map.of(
                "PATH", bin.toString(),
                "HOME", dir.toString(),
                "JAVA_HOME", javaHome.toString(),
                "SDFLEET_JDK_SEARCH", jdks + "/*"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "jdk.sh did not finish");
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String which(String tool) throws IOException, InterruptedException {
        for (String folder : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(folder, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toRealPath().toString();
            }
        }
        throw new IllegalStateException(tool + " not found");
    }
}
