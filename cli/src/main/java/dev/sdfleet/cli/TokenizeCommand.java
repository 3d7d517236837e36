package dev.sdfleet.cli;

import dev.sdfleet.pipeline.tokenizer.ClipTokenizer;
import dev.sdfleet.pipeline.tokenizer.TokenizedPrompt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sdfleet tokenize}: one JSON line of CLIP input ids per prompt. */
@Command(
        name = "tokenize",
        description = {
            "CLIP token ids as JSON lines: {\"input_ids\": [77 ints], \"truncated\": true|false} per prompt.",
            "Without PROMPT arguments, reads one prompt per line from standard input."
        })
final class TokenizeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "prompts (default: lines of standard input)")
    List<String> prompts = List.of();

    @Option(
            names = "--tokenizer",
            paramLabel = "DIR",
            description = "a folder with vocab.json and merges.txt, or a model folder (default: the tiny model)")
    Path tokenizerDir;

    @Override
    public Integer call() {
        PrintStream out = main.out;
        Path dir = tokenizerDir != null ? tokenizerDir : PipelineOptions.home().resolve("models/tiny-sd");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        if (!prompts.isEmpty()) {
            prompts.forEach(p -> out.println(json(tokenizer.encode(p))));
            return 0;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(json(tokenizer.encode(line)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    static String json(TokenizedPrompt t) {
        return "{\"input_ids\": ["
                + Arrays.stream(t.inputIds()).mapToObj(Integer::toString).collect(Collectors.joining(", "))
                + "], \"truncated\": " + t.truncated() + "}";
    }
}
