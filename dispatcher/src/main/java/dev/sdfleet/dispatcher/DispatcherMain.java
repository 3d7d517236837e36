package dev.sdfleet.dispatcher;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.service.LogSettings;
import java.util.concurrent.CountDownLatch;

/** Runs one dispatcher from the {@code SDFLEET_*} environment until SIGTERM / Ctrl-C. */
public final class DispatcherMain {
    private DispatcherMain() {}

    public static void main(String[] args) throws InterruptedException {
        LogSettings.bridgeJavaUtilLogging();
        DispatcherConfig config;
        try {
            config = DispatcherConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("sdfleet dispatcher: " + e.getMessage());
            System.exit(2);
            return;
        }
        Dispatcher dispatcher = Dispatcher.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            dispatcher.close();
                            stopped.countDown();
                        },
                        "dispatcher-shutdown"));
        System.out.println("sdfleet dispatcher ready: " + dispatcher.baseUrl());
        stopped.await();
    }
}
