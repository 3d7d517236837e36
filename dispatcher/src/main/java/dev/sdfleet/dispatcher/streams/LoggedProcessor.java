package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.service.LogContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Runs a processor with the log fields of the record it handles ({@link RequestTrace#logContext}), so every line the
 * processor writes about a record names its request; the fields go when the record is done, before the stream thread
 * takes the next one.
 */
final class LoggedProcessor<KOut, VOut> implements Processor<String, byte[], KOut, VOut> {
    private final Processor<String, byte[], KOut, VOut> processor;

    LoggedProcessor(Processor<String, byte[], KOut, VOut> processor) {
        this.processor = processor;
    }

    @Override
    public void init(ProcessorContext<KOut, VOut> context) {
        processor.init(context);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        try (LogContext.Scope logs = RequestTrace.logContext(record).open()) {
            processor.process(record);
        }
    }

    @Override
    public void close() {
        processor.close();
    }
}
