package dev.sdfleet.dispatcher;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dispatcher's packages depend on each other one way: {@code http → streams → webhook → metrics, state}, with
 * {@code config} read by all of them and the root package ({@code Dispatcher}) wiring everything (README, Packages).
 * Main classes only: a test may reach across.
 */
@AnalyzeClasses(packages = "dev.sdfleet.dispatcher", importOptions = ImportOption.DoNotIncludeTests.class)
class PackagesTest {
    @ArchTest
    static final ArchRule NO_CYCLES =
            slices().matching("dev.sdfleet.dispatcher.(*)..").should().beFreeOfCycles();

    /** The direction itself; config and the root package stay out of it (everything reads config). */
    @ArchTest
    static final ArchRule ONE_DIRECTION = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("http")
            .definedBy("dev.sdfleet.dispatcher.http..")
            .layer("streams")
            .definedBy("dev.sdfleet.dispatcher.streams..")
            .layer("webhook")
            .definedBy("dev.sdfleet.dispatcher.webhook..")
            .layer("metrics")
            .definedBy("dev.sdfleet.dispatcher.metrics..")
            .layer("state")
            .definedBy("dev.sdfleet.dispatcher.state..")
            .whereLayer("http")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("streams")
            .mayOnlyBeAccessedByLayers("http")
            .whereLayer("webhook")
            .mayOnlyBeAccessedByLayers("http", "streams")
            .whereLayer("metrics")
            .mayOnlyBeAccessedByLayers("http", "streams", "webhook")
            .whereLayer("state")
            .mayOnlyBeAccessedByLayers("http", "streams", "webhook");
}
