package dev.sdfleet.bench.fleet;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** One scenario of the fault campaign ({@link FaultCampaign}): it breaks something, then checks from outside. */
interface FaultScenario {

    /** The name in the campaign's table. */
    String name();

    /** What one run does at {@code size} (records, kills, ...), for the table's size column. */
    String describe(int size);

    /** Runs the scenario on its own scope of {@code bench} and returns its row. */
    Row run(BenchStack bench, int size, PrintStream log) throws Exception;

    /**
     * One row of the campaign's table, counted from outside the fleet (topics, S3, process exits).
     *
     * @param requests valid jobs the scenario published
     * @param completed jobs with a SUCCEEDED result
     * @param failed jobs with a FAILED result, by reason
     * @param lost jobs with no result at all
     * @param duplicateEvents results beyond the first per job
     * @param extraRuns denoising runs that reached the last step beyond the first per job
     * @param killed worker processes the scenario killed (SIGKILL, or a kubelet-style restart) or let a job kill
     * @param crashed worker processes that died without the scenario meaning them to
     * @param poison poison records published
     * @param poisonNotInDlq poison records with no dead letter
     * @param recoverySeconds from the fault to the last awaited result
     * @param checks what the scenario checked beyond the columns above (HTTP answers, webhooks), in words; empty if
     *     nothing
     * @param missedChecks how many of those checks missed their target (a 5xx, a webhook lost or badly signed)
     */
    record Row(
            String scenario,
            String size,
            int requests,
            int completed,
            Map<String, Integer> failed,
            int lost,
            int duplicateEvents,
            int extraRuns,
            int killed,
            int crashed,
            int poison,
            int poisonNotInDlq,
            double recoverySeconds,
            String checks,
            int missedChecks) {

        public Row {
            failed = new TreeMap<>(failed);
        }

        /** This row with the scenario's own checks. */
        Row withChecks(String text, int missed) {
            return new Row(
                    scenario,
                    size,
                    requests,
                    completed,
                    failed,
                    lost,
                    duplicateEvents,
                    extraRuns,
                    killed,
                    crashed,
                    poison,
                    poisonNotInDlq,
                    recoverySeconds,
                    text,
                    missed);
        }

        /**
         * A row whose job counts come from the results and progress read from outside.
         *
         * @param missingElsewhere jobs that have a result but miss something else the scenario checks (an image in
         *     S3), counted as lost
         */
        static Row of(
                String scenario,
                String size,
                int requests,
                JobOutcomes outcomes,
                int missingElsewhere,
                int killed,
                int crashed,
                int poison,
                int poisonNotInDlq,
                double recoverySeconds) {
            return new Row(
                    scenario,
                    size,
                    requests,
                    outcomes.completed(),
                    outcomes.failed(),
                    outcomes.lost() + missingElsewhere,
                    outcomes.duplicates(),
                    outcomes.extraRuns(),
                    killed,
                    crashed,
                    poison,
                    poisonNotInDlq,
                    recoverySeconds,
                    "",
                    0);
        }

        /**
         * The campaign's target: nothing lost, no duplicate completion, no unplanned crash, every poison parked, and
         * the scenario's own checks met.
         */
        boolean ok() {
            return lost == 0 && duplicateEvents == 0 && crashed == 0 && poisonNotInDlq == 0 && missedChecks == 0;
        }
    }
}
