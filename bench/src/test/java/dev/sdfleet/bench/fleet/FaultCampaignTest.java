package dev.sdfleet.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.cli.Args;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The fault campaign in its small form ({@code ./sdfleet bench faults --small}): every row meets the target, and the
 * scenarios that kill on purpose killed what they meant to and no more.
 */
class FaultCampaignTest {

    @Test
    void everyScenarioInItsSmallFormLosesNothingAndDuplicatesNothing() throws Exception {
        Args args = Args.parse(List.of("--small"), Set.of(), Set.of("small"));
        List<FaultScenario.Row> rows =
                FaultCampaign.run(args, TinyModels.sd(), new PrintStream(System.err, true, StandardCharsets.UTF_8));
        System.err.print(FaultCampaign.table(rows));
        Map<String, FaultScenario.Row> byName =
                rows.stream().collect(Collectors.toMap(FaultScenario.Row::scenario, r -> r));
        assertEquals(FaultCampaign.SCENARIOS.size(), rows.size());
        for (FaultScenario.Row row : rows) {
            assertEquals(0, row.lost(), row::toString);
            assertEquals(0, row.duplicateEvents(), row::toString);
            assertEquals(0, row.crashed(), row::toString);
            assertEquals(0, row.poisonNotInDlq(), row::toString);
            assertEquals(0, row.missedChecks(), row::toString);
        }
        FaultScenario.Row poison = byName.get("poison records");
        assertEquals(3 * 12, poison.poison());
        assertEquals(3, poison.completed(), poison::toString);

        FaultScenario.Row kills = byName.get("worker SIGKILL mid-job");
        assertEquals(kills.requests(), kills.completed(), kills::toString);

        FaultScenario.Row halt = byName.get("process-killing job");
        assertEquals(Map.of("WORKER_CRASHED", 1), halt.failed(), halt::toString);
        assertEquals(halt.requests() - 1, halt.completed(), halt::toString);
        assertTrue(halt.killed() <= HaltScenario.QUARANTINE, halt::toString);

        FaultScenario.Row hang = byName.get("hung job");
        assertEquals(Map.of("WORKER_CRASHED", 1), hang.failed(), hang::toString);
        assertEquals(hang.requests() - 1, hang.completed(), hang::toString);

        FaultScenario.Row outage = byName.get("S3 outage under load");
        assertEquals(outage.requests(), outage.completed(), outage::toString);
        assertEquals(0, outage.extraRuns(), outage::toString);

        // Through the dispatcher: every valid request, over HTTP or Kafka ingress, ends with its image.
        FaultScenario.Row dispatcherPoison = byName.get("dispatcher poison records");
        assertEquals(4 * 14, dispatcherPoison.poison(), dispatcherPoison::toString);
        for (String name : List.of(
                "dispatcher poison records",
                "fuzzed HTTP requests",
                "webhook receiver down",
                "trickling webhook receiver",
                "flooding webhook receiver",
                "broker restart")) {
            FaultScenario.Row row = byName.get(name);
            assertEquals(row.requests(), row.completed(), row::toString);
        }
    }
}
