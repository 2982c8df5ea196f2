package io.etcdj.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * The console API's JSON, in the gateway's conventions: snake_case names, keys and values in base64, 64-bit integers
 * as strings. Requests are read leniently (unknown fields ignored, missing fields take their defaults), parameters
 * strictly (a wrong type or an out-of-range number is an {@link IllegalArgumentException}, answered 400).
 */
final class ConsoleJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConsoleJson() {}

    /** The request object; an empty body is an empty object. */
    static JsonNode parse(String body) {
        if (body.isBlank()) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            if (!n.isObject()) {
                throw new IllegalArgumentException("the request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage());
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String print(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A base64 field's bytes; {@code absent} when the field is missing or null. */
    static byte[] bytes(JsonNode req, String field, byte[] absent) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(field + " must be a base64 string");
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is not valid base64");
        }
    }

    /** A number field (a JSON number or a decimal string, as the gateway takes int64s) in [min, max]. */
    static long number(JsonNode req, String field, long absent, long min, long max) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        long v;
        if (n.canConvertToLong() && n.isIntegralNumber()) {
            v = n.asLong();
        } else if (n.isTextual()) {
            try {
                v = Long.parseLong(n.asText());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " must be an integer");
            }
        } else {
            throw new IllegalArgumentException(field + " must be an integer");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max);
        }
        return v;
    }

    static boolean bool(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true or false");
        }
        return n.asBoolean();
    }

    static String text(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return n.asText();
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
