package dev.sdfleet.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The client's JSON trees (bodies, problem documents, list pages). Documents become typed through the protocol's
 * {@code Codec.decodeIgnoringUnknown}; this mapper is as lenient, so an unknown field never fails a call.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}
}
