package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.InitImage;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.scheduler.SchedulerKind;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.SchedulerName;
import java.util.List;

/**
 * The one place where the fleet's jobs become arguments of a pipeline call: the protocol's {@link Job} (what a
 * tenant asked for, one image) to the pipeline library's {@link PipelineRequest} (one call, one image per job).
 */
final class PipelineRequests {

    private PipelineRequests() {}

    /**
     * One pipeline call for a batch of compatible jobs: the shared parameters of the first job, each job's prompt and
     * seed, in the batch's order.
     */
    static PipelineRequest forBatch(List<Job> jobs) {
        return forBatch(jobs, null);
    }

    /**
     * As {@link #forBatch(List)}, starting from {@code init} (img2img or inpainting; null for text-to-image): the
     * jobs of one batch share their inputs ({@link BatchKey}), so one image serves them all.
     */
    static PipelineRequest forBatch(List<Job> jobs, InitImage init) {
        Job first = jobs.getFirst();
        String[] prompts = jobs.stream().map(Job::prompt).toArray(String[]::new);
        List<Long> seeds = jobs.stream().map(Job::seed).toList();
        return PipelineRequest.builder(prompts)
                .negativePrompt(first.negativePrompt())
                .size(first.width(), first.height())
                .steps(first.steps())
                .guidance(first.guidance())
                .scheduler(schedulerKind(first.scheduler()))
                .seeds(seeds)
                .initImage(init)
                .build();
    }

    /**
     * The pipeline's scheduler for a wire name; null (the job names none) stays null: the model's own. A switch with
     * no default, so a wire name added without a pipeline scheduler does not compile.
     */
    static SchedulerKind schedulerKind(SchedulerName name) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case PNDM -> SchedulerKind.PNDM;
            case DDIM -> SchedulerKind.DDIM;
            case EULER -> SchedulerKind.EULER;
            case EULER_ANCESTRAL -> SchedulerKind.EULER_ANCESTRAL;
            case LMS -> SchedulerKind.LMS;
            case DPMPP_2M -> SchedulerKind.DPM_SOLVER_MULTISTEP;
            case DPMPP_2M_KARRAS -> SchedulerKind.DPM_SOLVER_MULTISTEP_KARRAS;
        };
    }
}
