package dev.sdfleet.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sdfleet completion}: a bash (and zsh, through bashcompinit) completion script for every command and option. */
@Command(
        name = "completion",
        description = {
            "Prints a bash completion script for sdfleet.",
            "Load it with: source <(./sdfleet completion)   (zsh: autoload -U bashcompinit && bashcompinit first)"
        })
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        main.out.print(AutoComplete.bash("sdfleet", spec.root().commandLine()));
        main.out.flush();
        return 0;
    }
}
