package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Static membership (what the StatefulSet in infra/ runs with): an instance restarted under the same
 * {@code SDFLEET_DISPATCHER_ID} and state directory within the session timeout takes back exactly the partitions it
 * had, and the other instance never rebalances meanwhile: a rolling restart moves no partition. With one standby
 * replica each instance keeps a warm copy of the other's partition.
 */
class StaticMembershipRestartTest {
    private static final int REQUESTS = 6;

    @Test
    void aRestartWithTheSameInstanceIdKeepsItsPartitionsWithoutARebalance() {
        DispatcherConfig configA = TestFleet.config("static").toBuilder()
                .staticMembership(true)
                .sessionTimeout(Duration.ofSeconds(60))
                .standbyReplicas(1)
                // A fixed address, as a StatefulSet pod's DNS name: the group does not rebalance when the instance
                // comes back, so the others learn no new address for it.
                .httpPort(FreePorts.pick())
                .build();
        DispatcherConfig configB = configA.toBuilder()
                .instanceId("d2")
                .httpPort(0)
                .stateDir(TestFleet.tempDir())
                .build();
        try (Dispatcher b = TestFleet.startReady(configB)) {
            Dispatcher a = TestFleet.startReady(configA);
            List<String> ids = new ArrayList<>();
            List<String> ownedByA;
            try {
                Eventually.until("both instances running after the rebalance", () -> a.ready() && b.ready());
                Api viaB = new Api(b.baseUrl());
                for (int n = 0; n < REQUESTS; n++) {
                    String key = "static-" + n;
                    Api.Answer created = Eventually.value("admitted", () -> {
                        Api.Answer answer = viaB.post(
                                "/v1/generations",
                                TestTenants.ACME_KEY,
                                key,
                                "{\"prompt\": \"" + key + "\", \"model\": \"tiny-sd\"}");
                        return answer.status() == 202 ? answer : null;
                    });
                    ids.add(created.json().get("id").asText());
                }
                Eventually.until(
                        "each instance owns some of the requests",
                        () -> ids.stream().anyMatch(a::owns)
                                && ids.stream().anyMatch(b::owns)
                                && ids.stream().allMatch(id -> a.owns(id) != b.owns(id)));
                ownedByA = ids.stream().filter(a::owns).toList();
                // Two partitions, two instances, one standby: each keeps a warm copy of the other's partition.
                Eventually.until(
                        "each instance keeps a standby of the other's partition",
                        () -> a.standbyTasks() == 1 && b.standbyTasks() == 1);
            } finally {
                a.close(); // a static member does not leave the group: its partitions wait for it
            }
            int rebalancesOfB = b.rebalances();
            try (Dispatcher restarted = TestFleet.startReady(configA)) {
                // owns() is also true while an instance cannot tell yet: wait for both views to agree.
                Eventually.until(
                        "the restarted instance owns exactly what it owned, the other one the rest",
                        () -> ids.stream().allMatch(id -> restarted.owns(id) == ownedByA.contains(id))
                                && ids.stream().allMatch(id -> b.owns(id) != ownedByA.contains(id)));
                Api viaB = new Api(b.baseUrl());
                for (String id : ownedByA) {
                    Api.Answer answer = viaB.get("/v1/generations/" + id, TestTenants.ACME_KEY);
                    assertEquals(200, answer.status(), "forwarded to the restarted owner: " + answer.json());
                }
                assertEquals(rebalancesOfB, b.rebalances(), "the other instance never rebalanced");
            }
        }
    }
}
