package dev.sdfleet.cli;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineInfo;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** {@code sdfleet info}: what a model folder holds and how it would run here. */
final class InfoCommand implements Main.Command {

    @Override
    public String help() {
        return "usage: sdfleet info [options]\n" + PipelineOptions.HELP;
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(argv, PipelineOptions.valued(), PipelineOptions.flags());
        try (DiffusionPipeline pipeline =
                DiffusionPipeline.load(PipelineOptions.model(args), PipelineOptions.runtime(args))) {
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
