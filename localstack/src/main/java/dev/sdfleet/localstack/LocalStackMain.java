package dev.sdfleet.localstack;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link LocalStack} until the process is stopped (Ctrl-C / SIGTERM).
 *
 * <pre>
 * java -cp ... dev.sdfleet.localstack.LocalStackMain [--root DIR] [--kafka-port 9092] [--s3-port 9000]
 *      [--bucket sdfleet] [--partitions 4]
 * </pre>
 * {@code --partitions} sets the partition count of the jobs and results topics.
 */
public final class LocalStackMain {
    private LocalStackMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalStack.Builder builder = LocalStack.builder();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw usage("Missing value after " + name);
            }
            String value = args[++i];
            switch (name) {
                case "--root" -> builder.root(Path.of(value));
                case "--kafka-port" -> builder.kafkaPort(Integer.parseInt(value));
                case "--s3-port" -> builder.s3Port(Integer.parseInt(value));
                case "--bucket" -> builder.bucket(value);
                case "--partitions" -> builder.topic("sdfleet.jobs", Integer.parseInt(value))
                        .topic("sdfleet.results", Integer.parseInt(value));
                default -> throw usage("Unknown option " + name);
            }
        }
        LocalStack stack = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "sdfleet-localstack-shutdown"));
        System.out.println(stack.describe());
        System.out.println("Running until Ctrl-C.");
        stopped.await();
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + ". Options: --root DIR --kafka-port N --s3-port N "
                + "--bucket NAME --partitions N");
    }
}
