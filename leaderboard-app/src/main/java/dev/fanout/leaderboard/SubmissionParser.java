package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;

/**
 * Turns a {@code POST /submit-game} body into a {@link Game}, or says precisely what is wrong.
 *
 * <p>Rules: the body is one JSON object; {@code game_id}, {@code server_id},
 * {@code player1_id} and {@code player2_id} are non-empty strings of at most
 * {@code maxIdLength} characters, with no control characters and no unpaired surrogates;
 * the players differ; {@code result} is the integer 0, 1 or 2. Unknown fields are ignored;
 * a field given twice is an error.
 *
 * <p>Immutable and thread-safe.
 */
final class SubmissionParser {

    /** A rejected body: the field at fault (or null for the body as a whole) and why. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        Invalid(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }

        /** @return the field at fault, or null */
        String field() {
            return field;
        }
    }

    private final ObjectMapper mapper;
    private final int maxIdLength;

    SubmissionParser(ObjectMapper mapper, int maxIdLength) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        if (maxIdLength < 1) {
            throw new IllegalArgumentException("maxIdLength: " + maxIdLength + " (expected: >= 1)");
        }
        this.maxIdLength = maxIdLength;
    }

    Game parse(byte[] body) throws Invalid {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw new Invalid(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new Invalid(null, "malformed JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new Invalid(null, "empty body (expected: a JSON object)");
        }
        if (!root.isObject()) {
            throw new Invalid(null, "body is a JSON " + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + " (expected: a JSON object)");
        }
        String gameId = id(root, "game_id");
        String serverId = id(root, "server_id");
        String p1 = id(root, "player1_id");
        String p2 = id(root, "player2_id");
        if (p1.equals(p2)) {
            throw new Invalid("player2_id", "player2_id: equals player1_id (expected: two different players)");
        }
        JsonNode r = root.get("result");
        if (r == null || r.isNull()) {
            throw new Invalid("result", "result: missing (expected: 0, 1 or 2)");
        }
        if (!r.isIntegralNumber()) {
            throw new Invalid("result", "result: " + describe(r) + " (expected: the integer 0, 1 or 2)");
        }
        if (!r.canConvertToInt() || r.intValue() < 0 || r.intValue() > 2) {
            throw new Invalid("result", "result: " + r.asText() + " (expected: 0, 1 or 2)");
        }
        return new Game(gameId, serverId, p1, p2, Game.Result.of(r.intValue()));
    }

    private String id(JsonNode root, String field) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new Invalid(field, field + ": missing (expected: a non-empty string)");
        }
        if (!n.isTextual()) {
            throw new Invalid(field, field + ": " + describe(n) + " (expected: a string)");
        }
        String s = n.textValue();
        if (s.isEmpty()) {
            throw new Invalid(field, field + ": empty (expected: a non-empty string)");
        }
        if (s.length() > maxIdLength) {
            throw new Invalid(field, field + ": " + s.length() + " characters (expected: at most " + maxIdLength + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                throw new Invalid(field, field + ": control character U+" + String.format("%04X", (int) c)
                        + " at index " + i + " (expected: printable characters)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Invalid(field, field + ": unpaired surrogate at index " + i + " (expected: valid Unicode)");
            }
        }
        return s;
    }

    private static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "the number " + n.asText();
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
