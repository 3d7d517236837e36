package dev.sdfleet.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Which way the code may depend, over the main classes of every product module (test classes and test-fixture jars
 * are left out): the pipeline is a library that knows nothing of the fleet around it, the protocol is a contract that
 * knows no transport, and no module's packages depend on each other in a circle.
 */
class LayeringTest {
    /** The product modules' root packages; each one's sub-packages must not form a cycle. */
    static final List<String> MODULES = List.of(
            "dev.sdfleet.protocol",
            "dev.sdfleet.pipeline",
            "dev.sdfleet.service",
            "dev.sdfleet.devstack",
            "dev.sdfleet.worker",
            "dev.sdfleet.dispatcher",
            "dev.sdfleet.client",
            "dev.sdfleet.cli");

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // test-fixture jars
                .importPackages("dev.sdfleet");
    }

    @Test
    void pipelineKnowsNothingOfKafkaS3VertxOrTheFleet() {
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.pipeline..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "software.amazon..",
                        "io.vertx..",
                        "io.micrometer..",
                        "dev.sdfleet.protocol..",
                        "dev.sdfleet.worker..",
                        "dev.sdfleet.dispatcher..")
                .because("the pipeline is a library any Java program can embed (README: How it is built)")
                .check(main);
    }

    @Test
    void protocolKnowsNoTransportAndNoModel() {
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.protocol..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "software.amazon..",
                        "io.vertx..",
                        "ai.onnxruntime..",
                        "dev.sdfleet.pipeline..",
                        "dev.sdfleet.worker..",
                        "dev.sdfleet.dispatcher..")
                .because("outside publishers take the protocol alone, with the Kafka or HTTP client of their choice")
                .check(main);
    }

    @Test
    void clientTakesTheProtocolAloneAndKafkaOnlyInItsKafkaPackage() {
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.client..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.vertx..",
                        "software.amazon..",
                        "ai.onnxruntime..",
                        "dev.sdfleet.pipeline..",
                        "dev.sdfleet.service..",
                        "dev.sdfleet.devstack..",
                        "dev.sdfleet.worker..",
                        "dev.sdfleet.dispatcher..",
                        "dev.sdfleet.cli..")
                .because("the client is a library for callers: the JDK's HTTP client, Jackson and the protocol")
                .check(main);
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.client")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.kafka..")
                .because("kafka-clients is an optional dependency: only dev.sdfleet.client.kafka may need it")
                .check(main);
    }

    @Test
    void serviceConventionsKnowNoKafkaAndNoService() {
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.service..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "dev.sdfleet.worker..",
                        "dev.sdfleet.dispatcher..",
                        "dev.sdfleet.pipeline..")
                .because("the service module is what every sdfleet service shares: settings and ops endpoints")
                .check(main);
    }

    @Test
    void servicesDoNotReachIntoEachOther() {
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.worker..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.sdfleet.dispatcher..", "dev.sdfleet.cli..", "dev.sdfleet.devstack..")
                .check(main);
        noClasses()
                .that()
                .resideInAPackage("dev.sdfleet.dispatcher..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.sdfleet.worker..", "dev.sdfleet.cli..", "dev.sdfleet.devstack..")
                .check(main);
    }

    @ParameterizedTest
    @FieldSource("MODULES")
    void packagesInsideAModuleFormNoCycle(String root) {
        slices().assignedFrom(packagesBelow(root))
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true)
                .check(main);
    }

    /**
     * One slice per package directly below {@code root}, and the root package as a slice of its own (the pattern
     * {@code root.(*)..} would leave the root's classes out, and with them any cycle through them).
     */
    private static SliceAssignment packagesBelow(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                if (name.equals(root)) {
                    return SliceIdentifier.of("(root)");
                }
                if (!name.startsWith(root + ".")) {
                    return SliceIdentifier.ignore();
                }
                String below = name.substring(root.length() + 1);
                int dot = below.indexOf('.');
                return SliceIdentifier.of(dot < 0 ? below : below.substring(0, dot));
            }

            @Override
            public String getDescription() {
                return "the packages of " + root;
            }
        };
    }
}
