package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The dispatcher's one sub-topology: the four inputs keyed by request id (requests, results, cancels, control) feed
 * one processor that owns three changelogged stores (request state, timers, held images) and writes jobs, events, cancels and dead
 * letters (jobs to their model's jobs topic). One sub-topology means one task per partition number holds all of a request's state; the inputs must
 * therefore have the same partition count ({@link TopicSetup} sees to it).
 */
public final class DispatcherTopology {
    public static final String REQUESTS_STORE = "requests";
    static final String TIMERS_STORE = "timers";
    static final String HELD_STORE = "held";
    static final String JOBS_SINK = "jobs";
    static final String EVENTS_SINK = "events";
    static final String CANCELS_SINK = "cancels";
    static final String DLQ_SINK = "dlq";
    private static final String PROCESSOR = "dispatcher";

    private DispatcherTopology() {}

    public static Topology build(Topics topics, String controlTopic, ProcessorHooks hooks) {
        Serde<String> keys = Serdes.String();
        Serde<byte[]> values = Serdes.ByteArray();
        Topology topology = new Topology();
        topology.addSource("requests-in", keys.deserializer(), values.deserializer(), topics.requests());
        topology.addSource("results-in", keys.deserializer(), values.deserializer(), topics.results());
        topology.addSource("cancels-in", keys.deserializer(), values.deserializer(), topics.cancels());
        topology.addSource("control-in", keys.deserializer(), values.deserializer(), controlTopic);
        topology.addProcessor(
                PROCESSOR,
                () -> new LoggedProcessor<>(new DispatcherProcessor(hooks)),
                "requests-in",
                "results-in",
                "cancels-in",
                "control-in");
        // No caching: an interactive query must see a request as soon as the processor stored it.
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(REQUESTS_STORE), keys, StateJson.serde(RequestState.class)),
                PROCESSOR);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMERS_STORE), keys, Serdes.String()),
                PROCESSOR);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_STORE), keys, Serdes.String()),
                PROCESSOR);
        // Each model's jobs go to its own topics, one lane per priority (Topics.jobsFor), named by the headers the
        // processor put on the job.
        topology.addSink(
                JOBS_SINK,
                (key, value, context) ->
                        topics.jobsFor(Outputs.modelOf(context.headers()), Outputs.priorityOf(context.headers())),
                keys.serializer(),
                values.serializer(),
                PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.events(), keys.serializer(), values.serializer(), PROCESSOR);
        topology.addSink(CANCELS_SINK, topics.cancels(), keys.serializer(), values.serializer(), PROCESSOR);
        topology.addSink(DLQ_SINK, topics.dlq(), keys.serializer(), values.serializer(), PROCESSOR);
        return topology;
    }
}
