package dev.sdfleet.dispatcher.support;

import dev.sdfleet.devstack.TestInfra;

/**
 * One Kafka broker and one S3 server for every test class of this module (each class works under its own topic
 * prefix and application id), started on first use and stopped when the test JVM exits: a broker start costs 3-6 s
 * on the build machine, which per class would dominate the module's test time.
 */
public final class SharedInfra {
    public static final String BUCKET = "sdfleet-test";
    private static TestInfra infra;

    private SharedInfra() {}

    public static synchronized TestInfra get() {
        if (infra == null) {
            TestInfra started = TestInfra.start();
            started.createBucket(BUCKET);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-infra-close"));
            infra = started;
        }
        return infra;
    }
}
