package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs kcat and the AWS CLI the way a user would; tests using it are skipped where the tools are missing. */
final class CommandLineTools {
    private static final long TIMEOUT_SECONDS = 60;
    private final Path kcat;
    private final Path aws;

    private CommandLineTools(Path kcat, Path aws) {
        this.kcat = kcat;
        this.aws = aws;
    }

    /** Skips the calling test unless both kcat and /usr/bin/aws (Debian's awscli) are installed. */
    static CommandLineTools findOrSkip() {
        Path kcat = Path.of("/usr/bin/kcat");
        // Debian's awscli, not a pyenv shim on PATH whose Python may lack the package.
        Path aws = Path.of("/usr/bin/aws");
        assumeTrue(Files.isExecutable(kcat) && Files.isExecutable(aws), "kcat and /usr/bin/aws are not installed");
        return new CommandLineTools(kcat, aws);
    }

    String kcat(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(kcat.toString()));
        command.addAll(List.of(args));
        return run(command, Map.of());
    }

    String aws(DevStack stack, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(aws.toString(), "--endpoint-url", stack.s3Endpoint().toString()));
        command.addAll(List.of(args));
        return run(
                command,
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        stack.credentials().accessKey(),
                        "AWS_SECRET_ACCESS_KEY",
                        stack.credentials().secretKey(),
                        "AWS_DEFAULT_REGION",
                        S3Clients.REGION.id(),
                        // No user config, and no wait for an EC2 metadata service that is not there.
                        "AWS_CONFIG_FILE",
                        "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE",
                        "/dev/null",
                        "AWS_EC2_METADATA_DISABLED",
                        "true"));
    }

    private static String run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            // Both tools print little, so reading after exit cannot fill the pipe and block.
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Timed out: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + output);
            }
            return output;
        } finally {
            process.destroyForcibly();
        }
    }
}
