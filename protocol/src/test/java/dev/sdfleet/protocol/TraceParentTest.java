package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
    /** The example of the W3C Trace Context spec. */
    private static final String SPEC_EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsTheSpecExampleAndWritesItBack() {
        TraceParent parsed = TraceParent.parse(SPEC_EXAMPLE).orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", parsed.traceId());
        assertEquals("00f067aa0ba902b7", parsed.parentId());
        assertEquals("01", parsed.flags());
        assertEquals(SPEC_EXAMPLE, parsed.header());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "garbage",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // upper case
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace-id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent-id
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has no more fields
                "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", // dashes in the wrong place
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1x",
                " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x" // a later version needs a dash after
            })
    void refusesWhatIsNotATraceContext(String value) {
        assertEquals(Optional.empty(), TraceParent.parse(value));
    }

    @Test
    void refusesNull() {
        assertEquals(Optional.empty(), TraceParent.parse(null));
    }

    @Test
    void readsALaterVersionByItsFirstFourFields() {
        TraceParent parsed = TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes")
                .orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", parsed.traceId());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", parsed.header());
    }

    @Test
    void aChildKeepsTheTraceAndFlagsUnderANewSpan() {
        TraceParent parent = TraceParent.parse(SPEC_EXAMPLE).orElseThrow();
        TraceParent child = parent.child();
        assertEquals(parent.traceId(), child.traceId());
        assertEquals(parent.flags(), child.flags());
        assertNotEquals(parent.parentId(), child.parentId());
        assertEquals(child, TraceParent.parse(child.header()).orElseThrow());
    }

    @Test
    void generatedTracesAreValidSampledAndDistinct() {
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            TraceParent generated = TraceParent.generate();
            assertEquals(generated, TraceParent.parse(generated.header()).orElseThrow());
            assertEquals("01", generated.flags());
            traces.add(generated.traceId());
        }
        assertEquals(1000, traces.size());
    }

    @Test
    void anInvalidValueIsReplacedByANewTrace() {
        assertEquals(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                TraceParent.parseOrGenerate(SPEC_EXAMPLE).traceId());
        TraceParent replaced = TraceParent.parseOrGenerate("00-bad");
        assertTrue(TraceParent.parse(replaced.header()).isPresent());
    }

    @Test
    void readsTheRecordHeader() {
        assertEquals(
                SPEC_EXAMPLE,
                TraceParent.fromHeaders(Map.of("traceparent", SPEC_EXAMPLE.getBytes(StandardCharsets.UTF_8)))
                        .orElseThrow()
                        .header());
        assertEquals(Optional.empty(), TraceParent.fromHeaders(Map.of("traceparent", new byte[] {1, 2})));
        assertEquals(Optional.empty(), TraceParent.fromHeaders(Map.of()));
    }

    @Test
    void theConstructorChecksEachField() {
        assertThrows(IllegalArgumentException.class, () -> new TraceParent("abc", "00f067aa0ba902b7", "01"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "1"));
    }
}
