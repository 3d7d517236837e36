package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException.OrtErrorCode;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.stage.OrtRunException;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stage whose ORT run fails reports it as an {@link OrtRunException} naming the stage, like every other stage. */
class StageFailureTest {

    @Test
    void aTextEncoderRunFailureIsAnOrtRunException(@TempDir Path tmp) throws IOException {
        // A token id past the end of the encoder's embedding table: the tokenizer gives it, ORT's Gather refuses it.
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("m"));
        Path vocab = copy.resolve("tokenizer/vocab.json");
        String json = Files.readString(vocab);
        String bos = "\"<|startoftext|>\": ";
        int at = json.indexOf(bos);
        assertTrue(at >= 0, "the fixture's vocabulary has a start token");
        int end = at + bos.length();
        while (Character.isDigit(json.charAt(end))) {
            end++;
        }
        Files.writeString(vocab, json.substring(0, at) + bos + "1000000" + json.substring(end));

        try (DiffusionPipeline pipeline = DiffusionPipeline.load(copy, RuntimeSettings.cpuOnly())) {
            OrtRunException e = assertThrows(
                    OrtRunException.class,
                    () -> pipeline.generate(PipelineRequest.builder("a red circle")
                            .size(64, 64)
                            .steps(2)
                            .seed(1)
                            .build()));
            assertTrue(e.getMessage().startsWith("text_encoder failed"), e.getMessage());
            assertEquals(OrtErrorCode.ORT_INVALID_ARGUMENT, e.code(), e.getMessage());
        }
    }
}
