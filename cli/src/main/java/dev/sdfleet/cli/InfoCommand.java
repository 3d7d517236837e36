package dev.sdfleet.cli;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineInfo;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code sdfleet info}: what a model folder holds and how it would run here. */
@Command(
        name = "info",
        sortOptions = false,
        description = "What a model folder holds: family, components, signatures, execution providers.")
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    PipelineOptions pipelineOptions;

    @Override
    public Integer call() {
        PrintStream out = main.out;
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(pipelineOptions.model(), pipelineOptions.runtime())) {
            PipelineInfo info = pipeline.info();
            out.printf(
                    Locale.ROOT,
                    "model      %s (%s)%n",
                    info.model(),
                    pipeline.folder().root());
            out.printf(Locale.ROOT, "family     %s%n", info.family().id());
            out.printf(Locale.ROOT, "scheduler  %s, prediction %s%n", info.scheduler(), info.predictionType());
            out.printf(Locale.ROOT, "vae        scaling factor %s%n", info.vaeScalingFactor());
            for (PipelineInfo.Component c : info.components()) {
                out.printf(Locale.ROOT, "%-15s %s  provider %s%n", c.name(), c.file(), c.provider());
                c.inputs().forEach(i -> out.println("    in   " + i));
                c.outputs().forEach(o -> out.println("    out  " + o));
            }
        }
        return 0;
    }
}
