package dev.sdfleet.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Only the contiguous prefix of finished offsets is committable, and never the same position twice, unless the crash
 * marks changed and must travel with it.
 */
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

    @Test
    void aRunStartingIsCommittedAsACrashMarkUntilItEnds() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.polled(5, null);
        ledger.polled(6, null);
        ledger.committed(5);
        assertTrue(ledger.committable().isEmpty());

        ledger.runStarting(6);
        assertTrue(ledger.marksChanged());
        assertEquals(OptionalLong.of(5), ledger.committable(), "the same position again, to carry the mark");
        assertEquals("runs/1 6=1", ledger.marks(5));
        ledger.committed(5);
        assertTrue(ledger.committable().isEmpty());

        ledger.runEnded(6);
        assertEquals(OptionalLong.of(5), ledger.committable(), "the mark goes with the next commit");
        assertEquals("runs/1", ledger.marks(5));
    }

    @Test
    void crashesOfEarlierOwnersAddUpAndTravelUntilTheRecordFinishes() {
        OffsetLedger ledger = new OffsetLedger(RunMarks.decode("runs/1 7=2 9=1"));
        assertEquals(2, ledger.crashedRuns(7));
        assertEquals(0, ledger.crashedRuns(8));
        ledger.polled(7, null);
        ledger.polled(8, null);
        ledger.polled(9, null);
        ledger.runStarting(7);
        assertEquals("runs/1 7=3 9=1", ledger.marks(7), "a third run going on: if it dies, that is crash 3");

        ledger.finished(7);
        assertEquals(OptionalLong.of(8), ledger.committable());
        assertEquals("runs/1 9=1", ledger.marks(8));
    }

    @Test
    void aReleasedRunThatStopsIsNoCrashButOneThatDoesNotStopCounts() {
        OffsetLedger stops = new OffsetLedger(RunMarks.decode("runs/1 3=1"));
        stops.polled(3, null);
        stops.runStarting(3);
        assertTrue(stops.runningHere());
        stops.runEnded(3);
        assertFalse(stops.runningHere());
        assertEquals(Map.of(), RunMarks.decode(stops.marks(3)), "the run ended: it survived, nothing points at it");

        OffsetLedger hangs = new OffsetLedger(RunMarks.decode("runs/1 3=1"));
        hangs.polled(3, null);
        hangs.runStarting(3);
        assertTrue(hangs.runningHere(), "still running when its partition is given up");
        assertEquals("runs/1 3=2", hangs.marks(3), "committed on revocation: the next owner counts this run too");
    }

    @Test
    void aCaughtUpPartitionCommitsPastTheTransactionMarker() {
        OffsetLedger ledger = new OffsetLedger(Map.of(), 5);
        ledger.readUpTo(5);
        assertEquals(OptionalLong.empty(), ledger.committable(), "nothing read since the committed offset");

        ledger.polled(5, null);
        ledger.readUpTo(7); // offset 6 is the transaction's commit marker: the loop never sees it
        assertEquals(OptionalLong.empty(), ledger.committable(), "the job at 5 is still in flight: 5 stays committed");
        ledger.finished(5);
        assertEquals(OptionalLong.of(7), ledger.committable(), "the end offset: lag 0, so KEDA can scale to zero");
    }

    @Test
    void marksReadAnythingWithoutThrowing() {
        assertEquals(Map.of(), RunMarks.decode(null));
        assertEquals(Map.of(), RunMarks.decode(""));
        assertEquals(Map.of(), RunMarks.decode("someone else's metadata"));
        assertEquals(Map.of(4L, 2), RunMarks.decode("runs/1 x=1 4=2 5=-1 6=zz =3 7="));
        Map<Long, Integer> many = new HashMap<>();
        for (long offset = 0; offset < 1000; offset++) {
            many.put(offset, 1);
        }
        String encoded = RunMarks.encode(many);
        assertTrue(encoded.length() < 4096, "within the broker's offset.metadata.max.bytes: " + encoded.length());
        assertEquals(RunMarks.MAX_ENTRIES, RunMarks.decode(encoded).size());
    }
}
