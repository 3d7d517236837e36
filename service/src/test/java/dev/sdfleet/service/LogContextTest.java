package dev.sdfleet.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {
    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aScopeSetsItsFieldsAndClosingRemovesThem() {
        try (LogContext.Scope scope = LogContext.create()
                .request("r1")
                .job("r1/0")
                .tenant("acme")
                .trace("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
                .open()) {
            assertEquals("r1", MDC.get(LogContext.REQUEST_ID));
            assertEquals("r1/0", MDC.get(LogContext.JOB_ID));
            assertEquals("acme", MDC.get(LogContext.TENANT));
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", MDC.get(LogContext.TRACE_ID));
            assertEquals("00f067aa0ba902b7", MDC.get(LogContext.SPAN_ID));
        }
        assertNull(
                MDC.getCopyOfContextMap() == null || MDC.getCopyOfContextMap().isEmpty() ? null : "left over");
    }

    @Test
    void anInnerScopeGivesTheOuterOneBackAndNullsAreLeftOut() {
        try (LogContext.Scope outer =
                LogContext.create().request("r1").tenant("acme").open()) {
            try (LogContext.Scope inner =
                    LogContext.create().request("r2").job(null).open()) {
                assertEquals("r2", MDC.get(LogContext.REQUEST_ID));
                assertNull(MDC.get(LogContext.JOB_ID));
                assertEquals("acme", MDC.get(LogContext.TENANT));
            }
            assertEquals("r1", MDC.get(LogContext.REQUEST_ID));
            assertEquals("acme", MDC.get(LogContext.TENANT));
        }
        assertNull(MDC.get(LogContext.REQUEST_ID));
    }
}
