package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmarks read the shared options through {@link Args} as the command line reads them through picocli. */
class ArgsViewTest {
    @Test
    void theBenchmarksSeeTheCommandLinesOptions() {
        assertEquals(
                Set.of("trt-no-fp16", "split-guidance", "no-split-guidance", "shrink-arenas"), PipelineOptions.FLAGS);
        assertTrue(PipelineOptions.VALUED.containsAll(Set.of("model", "providers", "threads", "trt-sizes")));
        assertEquals(Set.of("kafka-bootstrap", "kafka-properties"), KafkaOptions.VALUED);
        assertTrue(PipelineOptions.HELP.contains("--model=DIR"), PipelineOptions.HELP);
        assertTrue(KafkaOptions.HELP.contains("--kafka-bootstrap=HOST:PORT"), KafkaOptions.HELP);
    }

    @Test
    void aNegatableFlagReadsTheSameBothWays() {
        for (List<String> argv :
                List.of(List.of("--no-split-guidance"), List.of("--split-guidance"), List.<String>of())) {
            PipelineOptions viaArgs =
                    PipelineOptions.from(Args.parse(argv, PipelineOptions.VALUED, PipelineOptions.FLAGS));
            PipelineOptions viaPicocli = new PipelineOptions();
            new picocli.CommandLine(viaPicocli).parseArgs(argv.toArray(String[]::new));
            assertEquals(viaPicocli.runtime().splitGuidance(), viaArgs.runtime().splitGuidance(), argv.toString());
        }
        PipelineOptions off = new PipelineOptions();
        new picocli.CommandLine(off).parseArgs("--no-split-guidance");
        assertEquals(false, off.runtime().splitGuidance());
        PipelineOptions shrink = PipelineOptions.from(
                Args.parse(List.of("--shrink-arenas"), PipelineOptions.VALUED, PipelineOptions.FLAGS));
        assertEquals(true, shrink.runtime().shrinkArenas());
        assertEquals(
                RuntimeSettings.DEFAULT_SHRINK_ARENAS,
                new PipelineOptions().runtime().shrinkArenas());
    }

    @Test
    void bothParsersGiveTheSameSettings() {
        List<String> argv = List.of("--model", CliTest.tinyModel(), "--threads", "3", "--trt-sizes", "64x64,128x64");
        PipelineOptions viaArgs = PipelineOptions.from(Args.parse(argv, PipelineOptions.VALUED, PipelineOptions.FLAGS));
        PipelineOptions viaPicocli = new PipelineOptions();
        new picocli.CommandLine(viaPicocli).parseArgs(argv.toArray(String[]::new));
        assertEquals(viaPicocli.runtime(), viaArgs.runtime());
        assertEquals(viaPicocli.model(), viaArgs.model());
        assertEquals(Path.of(CliTest.tinyModel()), viaArgs.model());
    }
}
