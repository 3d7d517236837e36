package dev.sdfleet.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Only the contiguous prefix of finished offsets is committable, and never the same position twice. */
class OffsetLedgerTest {

    @Test
    void nothingPolledNothingToCommit() {
        assertTrue(new OffsetLedger().committable().isEmpty());
    }

    @Test
    void outOfOrderFinishesWaitForTheOldestInFlight() {
        OffsetLedger ledger = new OffsetLedger();
        for (long offset = 10; offset <= 13; offset++) {
            ledger.polled(offset, null);
        }
        assertEquals(OptionalLong.of(10), ledger.committable(), "nothing finished: commit up to the first");
        ledger.committed(10);
        ledger.finished(12);
        ledger.finished(13);
        assertTrue(ledger.committable().isEmpty(), "10 and 11 are still running");
        ledger.finished(10);
        assertEquals(OptionalLong.of(11), ledger.committable());
        ledger.committed(11);
        ledger.finished(11);
        assertEquals(OptionalLong.of(14), ledger.committable(), "all finished: one past the highest polled");
        ledger.committed(14);
        assertTrue(ledger.committable().isEmpty());
        assertEquals(0, ledger.inFlightCount());
    }

    @Test
    void gapsInOffsetsDoNotHoldTheCommitBack() {
        // Compacted topics and transaction markers leave holes in the offsets.
        OffsetLedger ledger = new OffsetLedger();
        ledger.polled(3, null);
        ledger.polled(7, null);
        ledger.finished(3);
        assertEquals(OptionalLong.of(7), ledger.committable());
        ledger.finished(7);
        assertEquals(OptionalLong.of(8), ledger.committable());
    }

    @Test
    void unknownOffsetsAreIgnored() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.polled(5, null);
        ledger.finished(4); // a late acknowledgement from before a revocation
        assertEquals(1, ledger.inFlightCount());
        assertEquals(OptionalLong.of(5), ledger.committable());
    }
}
