package dev.sdfleet.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The front-door fleet the dispatcher scenarios stand on: requests over both ingresses reach real workers and end in
 * one completion event and one validly signed webhook each, counted from outside.
 */
class DispatcherRigTest {

    @Test
    void requestsOverHttpAndKafkaCompleteOnceWithSignedWebhooks() throws Exception {
        try (BenchStack bench = BenchStack.start(TinyModels.sd(), null);
                WebhookReceiver receiver = new WebhookReceiver(TestTenants.ACME_SECRET);
                DispatcherRig rig = DispatcherRig.start(bench, "rig", 2, 1, DispatcherRig.QUICK_WEBHOOKS)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(rig.submitter().mixed(i, "a red circle " + i, receiver.url()));
            }

            JobOutcomes outcomes = rig.awaitCompletions(ids, Duration.ofMinutes(2));
            WebhookReceiver.Tally webhooks = receiver.await(ids, Duration.ofMinutes(1));

            assertEquals(new JobOutcomes(4, java.util.Map.of(), 0, 0, 0), outcomes);
            assertEquals(new WebhookReceiver.Tally(4, 4, 0, 0, 0, 0), webhooks);
            assertEquals(0, rig.workersDownOrUnready());
        }
    }
}
