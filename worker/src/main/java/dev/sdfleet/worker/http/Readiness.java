package dev.sdfleet.worker.http;

import dev.sdfleet.service.Health;
import dev.sdfleet.worker.kafka.LoopState;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether the worker should get traffic, i.e. whether it takes jobs: the model is loaded, the warm-up generation has
 * run, the consumer loop is RUNNING (not starting, draining or stopped), and the cancel listener reads (a worker that
 * cannot hear cancels would run jobs their callers gave up on).
 */
public final class Readiness {
    private volatile String model = "";
    private volatile boolean modelLoaded;
    private volatile boolean warmedUp;
    private volatile Supplier<LoopState> consumer = () -> LoopState.STARTING;
    /** True until a listener is wired in: a worker without one has no cancels to wait for. */
    private volatile BooleanSupplier cancelListener = () -> true;

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

    public void cancelListener(BooleanSupplier reading) {
        this.cancelListener = reading;
    }

    public boolean isReady() {
        return modelLoaded && warmedUp && consumer.get() == LoopState.RUNNING && cancelListener.getAsBoolean();
    }

    /** The readiness answer: the same shape whether ready or not. */
    public Health health() {
        return Health.of(isReady())
                .with("model", model)
                .with("model_loaded", modelLoaded)
                .with("warmed_up", warmedUp)
                .with("consumer", consumer.get().toString())
                .with("cancel_listener", cancelListener.getAsBoolean() ? "reading" : "down");
    }
}
