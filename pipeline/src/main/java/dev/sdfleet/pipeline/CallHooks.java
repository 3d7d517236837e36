package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.runtime.OrtClock;

/**
 * What watches one pipeline call from outside: the caller's progress listener and cancellation, and the clock that
 * adds up the time spent inside ORT for the call's timings.
 */
record CallHooks(ProgressListener progress, Cancellation cancellation, OrtClock clock) {}
