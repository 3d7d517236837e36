package dev.sdfleet.service;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The request a thread is working on, as log fields (the slf4j MDC): every line logged inside a scope carries them,
 * in the JSON log as top-level fields and in the text log in braces. Open one per record, job or call with
 * try-with-resources, so nothing leaks to the next record a pooled thread takes:
 * <pre>{@code
 * try (LogContext.Scope scope = LogContext.create().request(id).job(jobId).trace(traceId, spanId).open()) {
 *     LOG.info("...");
 * }
 * }</pre>
 * Closing restores what the fields held before, so a scope opened inside another gives the outer one back intact.
 */
public final class LogContext {
    public static final String REQUEST_ID = "request_id";
    public static final String JOB_ID = "job_id";
    public static final String TENANT = "tenant";
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";

    private final Map<String, String> fields = new LinkedHashMap<>();

    private LogContext() {}

    public static LogContext create() {
        return new LogContext();
    }

    public LogContext request(String requestId) {
        return with(REQUEST_ID, requestId);
    }

    public LogContext job(String jobId) {
        return with(JOB_ID, jobId);
    }

    public LogContext tenant(String tenant) {
        return with(TENANT, tenant);
    }

    /** The W3C trace id and this service's span id (both hex; null leaves the field out). */
    public LogContext trace(String traceId, String spanId) {
        return with(TRACE_ID, traceId).with(SPAN_ID, spanId);
    }

    /** Any other field; a null value leaves it out. */
    public LogContext with(String key, String value) {
        if (value != null) {
            fields.put(key, value);
        }
        return this;
    }

    /** Puts the fields on this thread's MDC until the scope closes. */
    public Scope open() {
        Map<String, String> previous = new LinkedHashMap<>();
        fields.forEach((key, value) -> {
            previous.put(key, MDC.get(key));
            MDC.put(key, value);
        });
        return new Scope(previous);
    }

    /** The fields of an open {@link LogContext}; closing puts back what was there before. */
    public static final class Scope implements AutoCloseable {
        private final Map<String, String> previous;

        private Scope(Map<String, String> previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            previous.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }
}
