package dev.sdfleet.worker.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BatchProgressTest {
    @Test
    void unetCallsAreReportedInTheJobsSteps() {
        // PNDM runs 21 UNet calls for 20 steps; progress must never pass the job's step count.
        assertEquals(1, BatchProgress.jobStep(1, 21, 20));
        assertEquals(10, BatchProgress.jobStep(10, 21, 20));
        assertEquals(20, BatchProgress.jobStep(21, 21, 20));
        assertEquals(5, BatchProgress.jobStep(5, 5, 5));
    }
}
