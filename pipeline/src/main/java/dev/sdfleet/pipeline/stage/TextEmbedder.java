package dev.sdfleet.pipeline.stage;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.runtime.IncompatibleModelException;
import dev.sdfleet.pipeline.runtime.LoadedSession;
import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.runtime.OrtRuntime;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import dev.sdfleet.pipeline.tokenizer.ClipTokenizer;
import dev.sdfleet.pipeline.tokenizer.TokenizedPrompt;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokenizer plus CLIP text encoder: prompts in, per-token embeddings [n, 77, D] (and the pooled projection for SDXL)
 * out.
 *
 * <p>Which hidden state conditions the UNet is the family's choice: SD 1.x/2.x use {@code last_hidden_state}; SDXL
 * uses the penultimate layer, {@code hidden_states.(L-1)}, not final-layer-normed.
 */
public final class TextEmbedder implements AutoCloseable {
    private final LoadedSession session;
    private final ClipTokenizer tokenizer;
    private final TensorSpec inputIds;
    private final String hiddenOutput;
    private final String pooledOutput;
    private final int hiddenDim;

    /**
     * @param penultimate take {@code hidden_states.(L-1)} (SDXL) instead of {@code last_hidden_state}
     * @param pooledOutput the pooled output to return too ({@code text_embeds} for SDXL's second encoder), or null
     */
    public TextEmbedder(LoadedSession session, ClipTokenizer tokenizer, boolean penultimate, String pooledOutput) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.inputIds = session.requireInput("input_ids");
        if (inputIds.type() != OnnxJavaType.INT32 && inputIds.type() != OnnxJavaType.INT64) {
            throw new IncompatibleModelException(
                    "text encoder input_ids must be int32 or int64, the graph declares " + inputIds);
        }
        this.hiddenOutput = penultimate ? penultimateOutput(session) : "last_hidden_state";
        TensorSpec hidden = session.requireOutput(hiddenOutput);
        this.hiddenDim = (int) hidden.dim(hidden.rank() - 1);
        this.pooledOutput = pooledOutput;
        if (pooledOutput != null) {
            session.requireOutput(pooledOutput);
        }
    }

    private static String penultimateOutput(LoadedSession session) {
        long layers = session.outputs().keySet().stream()
                .filter(n -> n.startsWith("hidden_states."))
                .count();
        if (layers < 2) {
            throw new IncompatibleModelException("SDXL text encoder " + session.file()
                    + " exports no hidden_states.N outputs (export it with output_hidden_states); outputs are "
                    + session.outputs().keySet());
        }
        return "hidden_states." + (layers - 2);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The width D of the conditioning this encoder contributes (-1 when the graph leaves it dynamic). */
    public int hiddenDim() {
        return hiddenDim;
    }

    /** Prompts tokenized and encoded. */
    public record Encoded(float[] hidden, int dim, float[] pooled, int pooledDim, List<TokenizedPrompt> tokens) {}

    /**
     * Encodes the texts in one batch.
     *
     * @param clock accumulates the time spent inside ORT's run
     */
    public Encoded encode(List<String> texts, OrtClock clock) {
        List<TokenizedPrompt> tokens = new ArrayList<>(texts.size());
        for (String text : texts) {
            tokens.add(tokenizer.encode(text));
        }
        int n = texts.size();
        int length = ClipTokenizer.CONTEXT_LENGTH;
        long[] shape = {n, length};
        OrtEnvironment env = OrtRuntime.environment();
        Set<String> wanted = pooledOutput == null ? Set.of(hiddenOutput) : Set.of(hiddenOutput, pooledOutput);
        try (OnnxTensor ids = idsTensor(env, tokens, shape)) {
            long start = System.nanoTime();
            try (OrtSession.Result result =
                    session.session().run(Map.of("input_ids", ids), wanted, session.onceOptions())) {
                clock.add(System.nanoTime() - start);
                float[] hidden = floats(result.get(hiddenOutput).orElseThrow());
                int dim = hidden.length / (n * length);
                float[] pooled = pooledOutput == null
                        ? null
                        : floats(result.get(pooledOutput).orElseThrow());
                return new Encoded(hidden, dim, pooled, pooled == null ? 0 : pooled.length / n, List.copyOf(tokens));
            }
        } catch (OrtException e) {
            throw new OrtRunException(session.component(), e);
        }
    }

    private OnnxTensor idsTensor(OrtEnvironment env, List<TokenizedPrompt> tokens, long[] shape) throws OrtException {
        int length = (int) shape[1];
        if (inputIds.type() == OnnxJavaType.INT32) {
            IntBuffer buffer = IntBuffer.allocate(tokens.size() * length);
            tokens.forEach(t -> buffer.put(t.inputIds()));
            return OnnxTensor.createTensor(env, buffer.flip(), shape);
        }
        LongBuffer buffer = LongBuffer.allocate(tokens.size() * length);
        for (TokenizedPrompt t : tokens) {
            for (int id : t.inputIds()) {
                buffer.put(id);
            }
        }
        return OnnxTensor.createTensor(env, buffer.flip(), shape);
    }

    static float[] floats(OnnxValue value) {
        OnnxTensor tensor = (OnnxTensor) value;
        if (tensor.getInfo().type == OnnxJavaType.FLOAT16) {
            var shorts = tensor.getShortBuffer();
            float[] out = new float[shorts.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Float.float16ToFloat(shorts.get(i));
            }
            return out;
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Override
    public void close() {
        session.close();
    }
}
