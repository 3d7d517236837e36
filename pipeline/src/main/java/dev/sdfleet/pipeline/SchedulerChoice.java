package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.scheduler.Scheduler;
import dev.sdfleet.pipeline.scheduler.SchedulerConfig;
import dev.sdfleet.pipeline.scheduler.SchedulerKind;
import dev.sdfleet.pipeline.scheduler.Schedulers;

/**
 * The scheduler a request runs with: the one it names, configured from the model's scheduler_config.json the way
 * diffusers' {@code from_config} switches classes, or the model's own.
 *
 * @param scheduler a fresh, per-generation instance
 * @param kind what it is
 */
record SchedulerChoice(Scheduler scheduler, SchedulerKind kind) {

    static SchedulerChoice of(SchedulerConfig modelConfig, GenerationRequest request) {
        SchedulerKind kind;
        try {
            kind = SchedulerKind.parse(request.scheduler() != null ? request.scheduler() : modelConfig.className());
        } catch (IllegalArgumentException e) {
            String prefix = request.scheduler() != null ? "" : "the model's scheduler is not supported; name one: ";
            throw new InvalidRequestException("scheduler", prefix + e.getMessage());
        }
        SchedulerConfig config = modelConfig.className().equals(kind.className())
                ? modelConfig
                : modelConfig.withClass(kind.className());
        try {
            return new SchedulerChoice(Schedulers.create(kind, config, request.steps(), request.eta()), kind);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("steps", e.getMessage());
        }
    }

    /** The short name, e.g. {@code pndm}. */
    String name() {
        return kind.id();
    }
}
