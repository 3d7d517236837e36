package dev.sdfleet.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * What each party of the fleet may do on Kafka, and nothing more: the ACLs a secured cluster gives the dispatcher, the
 * workers of a model and outside publishers. Declared here, beside {@link Topics}, as plain data (no Kafka types), so
 * that the secured end-to-end test grants exactly these (the autoscaler's aside) and the infra tests hold the Strimzi {@code KafkaUser}
 * manifests to them.
 *
 * <p>Kafka's own implications are relied on: READ, WRITE, CREATE and ALTER on a topic each imply DESCRIBE, and READ on a
 * group implies DESCRIBE. An idempotent producer needs no cluster grant (WRITE on a topic is enough since Kafka 2.8).
 */
public final class KafkaAccess {
    /** The kinds of Kafka resources granted on. */
    public enum Resource {
        TOPIC,
        GROUP,
        TRANSACTIONAL_ID
    }

    /** The operations granted (Kafka's {@code AclOperation} names). */
    public enum Operation {
        READ,
        WRITE,
        CREATE,
        ALTER,
        DESCRIBE,
        ALTER_CONFIGS,
        ALL
    }

    /**
     * One ACL: {@code operation} allowed on the resource named {@code name}, or on every resource whose name starts
     * with it when {@code prefixed}.
     */
    public record Grant(Resource resource, String name, boolean prefixed, Operation operation) {
        @Override
        public String toString() {
            return operation + " " + resource + " " + name + (prefixed ? "*" : "");
        }
    }

    private KafkaAccess() {}

    /**
     * The dispatcher's grants: it reads requests, results, cancels and its control topic; writes requests (the HTTP API
     * publishes them), jobs of every model and lane, events, cancels, dead letters and control; creates those topics
     * and grows its inputs (its topic setup); and owns everything Kafka Streams names after {@code applicationId}: the
     * group, the state stores' changelog topics and the exactly-once transactional ids.
     */
    public static List<Grant> dispatcher(Topics topics, String controlTopic, String applicationId) {
        List<Grant> grants = new ArrayList<>();
        for (String input : List.of(topics.requests(), topics.results(), topics.cancels(), controlTopic)) {
            topic(grants, input, Operation.READ, Operation.CREATE, Operation.ALTER);
        }
        for (String output :
                List.of(topics.requests(), topics.cancels(), controlTopic, topics.events(), topics.dlq())) {
            topic(grants, output, Operation.WRITE);
        }
        topic(grants, topics.events(), Operation.CREATE);
        topic(grants, topics.dlq(), Operation.CREATE);
        // One prefix for every model's lanes: jobs.<model>, jobs-high.<model>, jobs-low.<model>. Models come and go
        // with the catalogue; the dispatcher's grants need not.
        grants.add(new Grant(Resource.TOPIC, topics.jobs(), true, Operation.WRITE));
        grants.add(new Grant(Resource.TOPIC, topics.jobs(), true, Operation.CREATE));
        grants.add(new Grant(Resource.TOPIC, applicationId, true, Operation.ALL));
        grants.add(new Grant(Resource.GROUP, applicationId, false, Operation.READ));
        grants.add(new Grant(Resource.TRANSACTIONAL_ID, applicationId, true, Operation.WRITE));
        grants.add(new Grant(Resource.TRANSACTIONAL_ID, applicationId, true, Operation.DESCRIBE));
        return List.copyOf(grants);
    }

    /**
     * The grants of the workers of {@code model} in consumer group {@code group}: they read their model's job lanes
     * (no other model's) and the cancels, and write results (progress goes there too) and dead letters. They cannot
     * write requests, jobs or the events callers read, nor read the dispatcher's topics and stores.
     */
    public static List<Grant> worker(Topics topics, String model, String group) {
        return worker(topics, model, group, false);
    }

    /**
     * The grants of the workers of {@code model}, taking jobs from the share group {@code group} when
     * {@code shareGroup} (a share group is a GROUP resource too, READ to join it): they also set the group's own
     * settings at start-up (the start at the earliest offset and the record lock), which takes ALTER_CONFIGS on that
     * group. Without it a new share group would start at the latest offset and skip the jobs published before the
     * first worker came.
     */
    public static List<Grant> worker(Topics topics, String model, String group, boolean shareGroup) {
        List<Grant> grants = new ArrayList<>();
        for (String lane : topics.jobLanesFor(model)) {
            topic(grants, lane, Operation.READ);
        }
        topic(grants, topics.cancels(), Operation.READ);
        for (String output : List.of(topics.results(), topics.dlq())) {
            topic(grants, output, Operation.WRITE);
        }
        grants.add(new Grant(Resource.GROUP, group, false, Operation.READ));
        if (shareGroup) {
            grants.add(new Grant(Resource.GROUP, group, false, Operation.ALTER_CONFIGS));
        }
        return List.copyOf(grants);
    }

    /**
     * The autoscaler's grants for the workers of {@code model} (KEDA's Kafka scaler): it only looks, reading the end
     * offsets of the model's lanes and the offsets the group committed on them.
     */
    public static List<Grant> autoscaler(Topics topics, String model, String group) {
        List<Grant> grants = new ArrayList<>();
        for (String lane : topics.jobLanesFor(model)) {
            topic(grants, lane, Operation.DESCRIBE);
        }
        grants.add(new Grant(Resource.GROUP, group, false, Operation.DESCRIBE));
        return List.copyOf(grants);
    }

    /**
     * An outside publisher's grant: it writes requests, and that is all. What it may ask for is then the dispatcher's
     * to check (models, sizes, tenants' limits), and it learns outcomes through webhooks or the API, not Kafka.
     */
    public static List<Grant> publisher(Topics topics) {
        return List.of(new Grant(Resource.TOPIC, topics.requests(), false, Operation.WRITE));
    }

    private static void topic(List<Grant> grants, String topic, Operation... operations) {
        for (Operation operation : operations) {
            grants.add(new Grant(Resource.TOPIC, topic, false, operation));
        }
    }
}
