package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ORT session together with the options it was built from and the provider that took it. Closing it closes both
 * native objects.
 */
public final class LoadedSession implements AutoCloseable {
    /** ORT's run option: free the named devices' arenas of what is unused when the run ends. */
    static final String ARENA_SHRINKAGE = "memory.enable_memory_arena_shrinkage";

    private final String component;
    private final Path file;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final ExecutionProvider provider;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> outputs;
    private final boolean shrinkArena;
    /** For stages that run once per image (text encoder, VAE): asks for the arena's release when shrinking. */
    private final OrtSession.RunOptions onceOptions;

    LoadedSession(
            String component,
            Path file,
            OrtSession session,
            OrtSession.SessionOptions options,
            ExecutionProvider provider,
            boolean shrinkArena)
            throws OrtException {
        this.component = component;
        this.file = file;
        this.session = session;
        this.options = options;
        this.provider = provider;
        this.inputs = specs(session.getInputInfo());
        this.outputs = specs(session.getOutputInfo());
        this.shrinkArena = shrinkArena;
        this.onceOptions = new OrtSession.RunOptions();
        try {
            shrinkArenaAfter(onceOptions);
        } catch (RuntimeException e) {
            onceOptions.close();
            throw e;
        }
    }

    /**
     * Run options for a stage that runs once per image (text encoder, VAE): with {@link RuntimeSettings#shrinkArenas},
     * they hand the session's CPU arena back to the system at the end of each run. Owned by this session; one run at a
     * time.
     */
    public OrtSession.RunOptions onceOptions() {
        return onceOptions;
    }

    /**
     * With {@link RuntimeSettings#shrinkArenas}, makes the runs of {@code runOptions} end by handing this session's
     * free CPU arena memory back to the system (ORT's {@code memory.enable_memory_arena_shrinkage}): for the last UNet
     * run of a generation, so that the VAE decoder's activations do not come on top of the UNet's kept ones.
     */
    public void shrinkArenaAfter(OrtSession.RunOptions runOptions) {
        if (!shrinkArena) {
            return;
        }
        try {
            runOptions.addRunConfigEntry(ARENA_SHRINKAGE, "cpu:0");
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused " + ARENA_SHRINKAGE, e);
        }
    }

    private static Map<String, TensorSpec> specs(Map<String, NodeInfo> infos) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        for (NodeInfo node : infos.values()) {
            if (node.getInfo() instanceof TensorInfo tensor) {
                out.put(node.getName(), new TensorSpec(node.getName(), tensor.type, tensor.getShape()));
            }
        }
        return Map.copyOf(out);
    }

    /** The component name, e.g. {@code unet}. */
    public String component() {
        return component;
    }

    public Path file() {
        return file;
    }

    public OrtSession session() {
        return session;
    }

    /** The provider that accepted this session. */
    public ExecutionProvider provider() {
        return provider;
    }

    /** The options the session was built from (tests read the config entries ORT received). */
    OrtSession.SessionOptions options() {
        return options;
    }

    /** The graph inputs by name, as the session declares them. */
    public Map<String, TensorSpec> inputs() {
        return inputs;
    }

    /** The graph outputs by name. */
    public Map<String, TensorSpec> outputs() {
        return outputs;
    }

    /**
     * The declared input, or a clear error naming the component, the missing input and what the graph has instead.
     */
    public TensorSpec requireInput(String name) {
        TensorSpec spec = inputs.get(name);
        if (spec == null) {
            throw new IncompatibleModelException(
                    component + " (" + file + ") has no input '" + name + "'; its inputs are " + inputs.keySet());
        }
        return spec;
    }

    /** Like {@link #requireInput} for outputs. */
    public TensorSpec requireOutput(String name) {
        TensorSpec spec = outputs.get(name);
        if (spec == null) {
            throw new IncompatibleModelException(
                    component + " (" + file + ") has no output '" + name + "'; its outputs are " + outputs.keySet());
        }
        return spec;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the " + component + " session failed", e);
        } finally {
            onceOptions.close();
            options.close();
        }
    }
}
