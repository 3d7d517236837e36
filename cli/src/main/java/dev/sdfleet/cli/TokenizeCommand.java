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
import java.util.Set;
import java.util.stream.Collectors;

/** {@code sdfleet tokenize}: one JSON line of CLIP input ids per prompt. */
final class TokenizeCommand implements Main.Command {

    @Override
    public String help() {
        return """
                usage: sdfleet tokenize [--tokenizer DIR] [PROMPT...]
                  Prints {"input_ids": [77 ints], "truncated": true|false} per prompt. Without PROMPT arguments, reads
                  one prompt per line from standard input.
                  --tokenizer DIR   a folder with vocab.json and merges.txt, or a model folder (default: the tiny model)""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(argv, Set.of("tokenizer"), Set.of());
        Path dir = args.has("tokenizer")
                ? Path.of(args.get("tokenizer", ""))
                : PipelineOptions.home().resolve("models/tiny-sd");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        if (!args.positional().isEmpty()) {
            args.positional().forEach(p -> out.println(json(tokenizer.encode(p))));
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
