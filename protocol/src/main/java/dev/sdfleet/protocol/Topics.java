package dev.sdfleet.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The fleet's topic names. The defaults are {@code sdfleet.requests}, {@code sdfleet.jobs}, {@code sdfleet.results},
 * {@code sdfleet.events}, {@code sdfleet.cancels} and {@code sdfleet.dlq}; {@link #withPrefix(String)} puts another
 * prefix in front, so several fleets (or tenants, or test runs) can share one cluster.
 *
 * <p>Requests, jobs, results, events and cancels should have the same partition count: they are all keyed by
 * request id (see {@link RecordKeys}), so with equal counts one request lands on the same partition number in each,
 * which is the co-partitioning that the dispatcher's Kafka Streams aggregation needs without a repartition step.
 *
 * @param requests requests from services ({@link GenerationRequest})
 * @param jobs the stem of the jobs topics: the jobs of a model go to {@link #jobsFor(String) jobsFor(model)}, e.g.
 *     {@code sdfleet.jobs.tiny-sd}, so that a worker only ever receives jobs for the model it has loaded; in a
 *     worker's view ({@link #forModel(String)}) this is its model's jobs topic
 * @param results job outcomes and progress, workers to dispatcher ({@link JobResult}, {@link JobProgress})
 * @param events the dispatcher's {@link Generation} documents: throttled progress and each request's end
 * @param cancels cancellations, read by every worker and the dispatcher ({@link CancelRequest})
 * @param dlq records nobody could process ({@link DeadLetter})
 */
public record Topics(String requests, String jobs, String results, String events, String cancels, String dlq) {

    public static final String DEFAULT_PREFIX = "sdfleet.";
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public Topics {
        Checks checks = new Checks();
        name(checks, "requests", requests);
        name(checks, "jobs", jobs);
        name(checks, "results", results);
        name(checks, "events", events);
        name(checks, "cancels", cancels);
        name(checks, "dlq", dlq);
        checks.check(
                List.of(requests, jobs, results, events, cancels, dlq).stream()
                                .distinct()
                                .count()
                        == 6,
                "",
                "every topic needs its own name");
        checks.throwIfAny();
    }

    /** The default names, under {@value #DEFAULT_PREFIX}. */
    public static Topics defaults() {
        return withPrefix(DEFAULT_PREFIX);
    }

    /**
     * The names under {@code prefix}: {@code withPrefix("acme.")} gives {@code acme.requests}, {@code acme.jobs}
     * and so on. The prefix is used as given (include the separator); it may be empty.
     *
     * @throws ValidationException when the prefix makes an illegal Kafka topic name
     */
    public static Topics withPrefix(String prefix) {
        if (prefix == null) {
            throw new ValidationException("prefix", "is required (use \"\" for none)");
        }
        try {
            return new Topics(
                    prefix + "requests",
                    prefix + "jobs",
                    prefix + "results",
                    prefix + "events",
                    prefix + "cancels",
                    prefix + "dlq");
        } catch (ValidationException e) {
            throw new ValidationException("prefix", "makes illegal topic names: " + e.getMessage());
        }
    }

    /**
     * The jobs topic of {@code model}: {@code <jobs>.<model>}. Each model has its own, so a worker subscribes to the
     * jobs it can run and nothing else, and each model's backlog (the lag its autoscaler reads) is its own.
     *
     * @throws ValidationException when {@code model} is not an identifier
     */
    public String jobsFor(String model) {
        if (!Identifier.isValid(model)) {
            throw new ValidationException("model", "must be an identifier to name a jobs topic, got \"" + model + "\"");
        }
        return jobs + "." + model;
    }

    /**
     * The jobs topic of {@code model} at {@code priority}: normal jobs on {@link #jobsFor(String) jobsFor(model)},
     * high and low ones on lanes of their own, {@code <jobs>-high.<model>} and {@code <jobs>-low.<model>}. Kafka has no
     * priority queue; a worker that reads its lanes highest first, pausing lower lanes while a higher one has a
     * backlog, is one. (The priority goes in the stem, not after the model id, so that no model's lane can be another
     * model's topic: ids may contain dots.)
     */
    public String jobsFor(String model, Priority priority) {
        String normal = jobsFor(model);
        return switch (priority) {
            case NORMAL -> normal;
            case HIGH, LOW -> jobs + "-" + priority.id() + "." + model;
        };
    }

    /** The jobs topics of {@code model}, highest priority first: what its workers subscribe to. */
    public List<String> jobLanesFor(String model) {
        return List.of(jobsFor(model, Priority.HIGH), jobsFor(model, Priority.NORMAL), jobsFor(model, Priority.LOW));
    }

    /** These topics as a worker of {@code model} sees them: {@link #jobs()} is {@link #jobsFor(String) its model's}. */
    public Topics forModel(String model) {
        return new Topics(requests, jobsFor(model), results, events, cancels, dlq);
    }

    /** Every name, in the order of the components. */
    public List<String> all() {
        return List.of(requests, jobs, results, events, cancels, dlq);
    }

    private static void name(Checks checks, String field, String name) {
        if (checks.required(field, name)) {
            checks.check(
                    LEGAL.matcher(name).matches() && !name.equals(".") && !name.equals(".."),
                    field,
                    "must be a legal Kafka topic name (1..249 letters, digits, '.', '_' or '-'), got \"" + name + "\"");
        }
    }
}
