package dev.sdfleet.cli;

import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A picocli options class (a mixin such as {@link PipelineOptions}) as the benchmarks' {@link Args} parser needs it:
 * the names of its valued and boolean options, and its help lines. Derived from the annotations, so the command line
 * and the benchmarks declare each shared option once.
 */
final class ArgsView {
    private final CommandSpec spec;

    ArgsView(Object options) {
        this.spec = CommandSpec.forAnnotatedObject(options);
        spec.usageMessage().sortOptions(false).width(110).longOptionsMaxWidth(32);
    }

    /** The options that take a value, without their leading dashes. */
    Set<String> valued() {
        return names(true);
    }

    /** The options that take none, without their leading dashes. */
    Set<String> flags() {
        return names(false);
    }

    /** The options' help lines as the benchmarks print theirs: two spaces in, descriptions aligned. */
    String help() {
        return new CommandLine.Help(spec)
                .optionList()
                .stripTrailing()
                .stripIndent()
                .indent(2)
                .stripTrailing();
    }

    private Set<String> names(boolean takesValue) {
        return spec.options().stream()
                .filter(o -> (o.typeInfo().isBoolean()) != takesValue)
                .map(OptionSpec::longestName)
                .map(name -> name.substring(2))
                .collect(Collectors.toUnmodifiableSet());
    }
}
