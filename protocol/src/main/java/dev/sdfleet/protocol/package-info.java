/**
 * The sdfleet message contract: what every service and every outside publisher puts on the fleet's Kafka topics.
 *
 * <p>Every message is an immutable record that validates itself in its compact constructor, carries
 * {@code schema_version} and has snake_case JSON names. {@link dev.sdfleet.protocol.Codec} is the only supported way
 * to turn messages into bytes and back: it is strict (unknown properties, wrong types and unsupported versions are
 * rejected) and reports every problem as a {@link dev.sdfleet.protocol.FieldError} inside a
 * {@link dev.sdfleet.protocol.ValidationException}.
 *
 * <p>Where things go: {@link dev.sdfleet.protocol.Topics} names the topics, {@link dev.sdfleet.protocol.RecordKeys}
 * chooses record keys, {@link dev.sdfleet.protocol.CloudEventHeaders} builds and reads the headers, and
 * {@link dev.sdfleet.protocol.MessageType} ties each record to its topic, CloudEvents type and JSON Schema. The JSON
 * Schemas and the AsyncAPI document live under {@code dev/sdfleet/protocol/} on the class path.
 *
 * <p>This package depends on Jackson only: no Kafka or Vert.x types, so any service (or a test) can use it.
 */
package dev.sdfleet.protocol;
