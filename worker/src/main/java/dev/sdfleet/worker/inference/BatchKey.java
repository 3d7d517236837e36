package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.ImageInput;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.SchedulerName;

/**
 * What jobs must share to run as one micro-batch: one pipeline call takes one size, step count, scheduler, guidance
 * scale and negative prompt, and one init image, mask and strength (a request's jobs share them), with a prompt
 * and a seed per image. Two jobs with equal keys give the same images
 * together as apart (the pipeline draws each image's noise from its own seed).
 */
public record BatchKey(
        String model,
        int width,
        int height,
        int steps,
        SchedulerName scheduler,
        double guidance,
        String negativePrompt,
        ImageInput initImage,
        ImageInput maskImage,
        Double strength) {

    public static BatchKey of(Job job) {
        return new BatchKey(
                job.model(),
                job.width(),
                job.height(),
                job.steps(),
                job.scheduler(),
                job.guidance(),
                job.negativePrompt() == null ? "" : job.negativePrompt(),
                job.initImage(),
                job.maskImage(),
                job.strength());
    }
}
