package dev.sdfleet.worker.http;

import dev.sdfleet.service.Health;
import dev.sdfleet.worker.kafka.LoopState;
import java.util.function.Supplier;

/**
 * Whether the worker should get traffic, i.e. whether it takes jobs: the model is loaded, the warm-up generation has
 * run, and the consumer loop is RUNNING (not starting, draining or stopped).
 */
public final class Readiness {
    private volatile String model = "";
    private volatile boolean modelLoaded;
    private volatile boolean warmedUp;
    private volatile Supplier<LoopState> consumer = () -> LoopState.STARTING;

    public void modelLoaded(String modelId) {
        this.model = modelId;
        this.modelLoaded = true;
    }

    public void warmedUp() {
        this.warmedUp = true;
    }

    public void consumer(Supplier<LoopState> state) {
        this.consumer = state;
    }

    public boolean isReady() {
        return modelLoaded && warmedUp && consumer.get() == LoopState.RUNNING;
    }

    /** The readiness answer: the same shape whether ready or not. */
    public Health health() {
        return Health.of(isReady())
                .with("model", model)
                .with("model_loaded", modelLoaded)
                .with("warmed_up", warmedUp)
                .with("consumer", consumer.get().toString());
    }
}
