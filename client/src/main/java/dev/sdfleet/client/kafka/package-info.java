/**
 * Publishing generation requests straight to Kafka, for services inside the fleet's network that prefer a topic to
 * HTTP. Needs {@code org.apache.kafka:kafka-clients} (an optional dependency of this client) on the class path.
 */
package dev.sdfleet.client.kafka;
