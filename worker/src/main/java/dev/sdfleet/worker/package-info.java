/**
 * The sdfleet inference worker: one per GPU, stateless, any number against one Kafka cluster.
 *
 * <p>Threads and who owns what:
 * <ul>
 *   <li>the <b>consumer loop</b> ({@link dev.sdfleet.worker.kafka.JobConsumerLoop}) owns the jobs consumer: it polls,
 *   decodes, queues, pauses partitions while the queue is full and commits the contiguous prefix of finished
 *   offsets;</li>
 *   <li>the <b>inference thread</b> ({@link dev.sdfleet.worker.inference.InferenceRunner}) owns the pipeline and runs
 *   one job or one micro-batch at a time;</li>
 *   <li>the <b>output thread</b> ({@link dev.sdfleet.worker.output.OutputStage}) uploads images and hands results to
 *   the publisher, whose acknowledgements tell the loop which offsets are finished;</li>
 *   <li>the <b>cancel listener</b> ({@link dev.sdfleet.worker.kafka.CancelListener}) reads the cancels topic;</li>
 *   <li>Vert.x serves {@code /metrics} and {@code /health/*} and nothing else
 *   ({@link dev.sdfleet.worker.http.HttpVerticle}).</li>
 * </ul>
 * {@link dev.sdfleet.worker.Worker} wires them together in one place and closes them in order.
 */
package dev.sdfleet.worker;
