package dev.sdfleet.pipeline.testing;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base for test classes that share one CPU pipeline on the trained tiny model, loaded once per class. */
public abstract class TinyPipelineTest {
    protected static DiffusionPipeline pipeline;

    @BeforeAll
    static void loadTinyModel() {
        pipeline = DiffusionPipeline.load(TinyModels.sd(), RuntimeSettings.cpuOnly());
    }

    @AfterAll
    static void closeTinyModel() {
        pipeline.close();
    }
}
