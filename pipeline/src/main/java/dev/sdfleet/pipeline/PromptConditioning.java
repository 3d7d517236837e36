package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.stage.TextEmbedder;
import dev.sdfleet.pipeline.tokenizer.TokenizedPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the UNet's text conditioning for a request: one row of [77, D] embeddings per UNet batch entry, unconditional
 * (negative) rows first when guidance is on, images in prompt-major order; for SDXL also the pooled embeddings.
 *
 * <p>Every distinct text is encoded once; rows are copies.
 */
final class PromptConditioning {
    final float[] context; // [batch, 77, dim]
    final int dim;
    final float[] pooled; // [batch, pooledDim] (SDXL) or null
    final int pooledDim;
    final List<String> warnings;

    private PromptConditioning(float[] context, int dim, float[] pooled, int pooledDim, List<String> warnings) {
        this.context = context;
        this.dim = dim;
        this.pooled = pooled;
        this.pooledDim = pooledDim;
        this.warnings = warnings;
    }

    /**
     * @param encoders one encoder (SD 1.x/2.x) or two (SDXL: hidden states concatenated, pooled from the second)
     * @param zeroNegative SDXL with no negative prompt: zero embeddings instead of the encoding of ""
     */
    static PromptConditioning build(
            PipelineRequest request, List<TextEmbedder> encoders, boolean zeroNegative, OrtClock clock) {
        List<String> texts = new ArrayList<>(request.prompts());
        texts.add(request.negativePrompt()); // last: the unconditional / negative text
        List<TextEmbedder.Encoded> encoded = new ArrayList<>();
        for (TextEmbedder encoder : encoders) {
            encoded.add(encoder.encode(texts, clock));
        }
        List<String> warnings = truncationWarnings(request, encoded.getFirst().tokens());

        int length = encoded.getFirst().hidden().length
                / (texts.size() * encoded.getFirst().dim());
        int dim = encoded.stream().mapToInt(TextEmbedder.Encoded::dim).sum();
        TextEmbedder.Encoded last = encoded.getLast();
        int pooledDim = last.pooled() == null ? 0 : last.pooledDim();

        int images = request.imageCount();
        boolean guided = request.usesGuidance();
        int batch = guided ? 2 * images : images;
        float[] context = new float[batch * length * dim];
        float[] pooled = pooledDim == 0 ? null : new float[batch * pooledDim];
        int negativeText = texts.size() - 1;
        boolean zeros = zeroNegative && request.negativePrompt().isEmpty();
        for (int row = 0; row < batch; row++) {
            boolean unconditional = guided && row < images;
            int image = guided ? row % images : row;
            int text = unconditional ? negativeText : image / request.imagesPerPrompt();
            if (unconditional && zeros) {
                continue; // already zero
            }
            int column = 0;
            for (TextEmbedder.Encoded e : encoded) {
                for (int token = 0; token < length; token++) {
                    System.arraycopy(
                            e.hidden(),
                            (text * length + token) * e.dim(),
                            context,
                            (row * length + token) * dim + column,
                            e.dim());
                }
                column += e.dim();
            }
            if (pooled != null) {
                System.arraycopy(last.pooled(), text * pooledDim, pooled, row * pooledDim, pooledDim);
            }
        }
        return new PromptConditioning(context, dim, pooled, pooledDim, warnings);
    }

    private static List<String> truncationWarnings(PipelineRequest request, List<TokenizedPrompt> tokens) {
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            TokenizedPrompt t = tokens.get(i);
            if (t.truncated()) {
                String which = i < request.prompts().size() ? "prompt " + i : "negative prompt";
                warnings.add(which + " was truncated to 77 tokens; dropped: \"" + t.droppedText() + "\"");
            }
        }
        return warnings;
    }
}
