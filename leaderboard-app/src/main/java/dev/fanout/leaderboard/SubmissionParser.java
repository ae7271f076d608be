package dev.fanout.leaderboard;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns a {@code POST /submit-game} body into a {@link Game}, or says precisely what is wrong.
 *
 * <p>Rules: the body is one JSON object in well-formed UTF-8 (no overlong forms, no encoded
 * surrogates); {@code game_id}, {@code server_id}, {@code player1_id} and {@code player2_id}
 * are non-empty strings of at most {@code maxIdLength} characters, with no control characters,
 * no unpaired surrogates, no format characters (bidirectional overrides and isolates,
 * zero-width characters, the BOM, soft hyphens: Unicode category Cf), no line or paragraph
 * separators, no white space at either end, no {@code /} and not {@code .} or {@code ..}; so
 * every accepted id is shown as it reads and round-trips through {@code /player/{id}/stats}
 * when percent-encoded. The players differ; {@code result} is the integer 0, 1 or 2. Unknown
 * fields are ignored; a field given twice is an error.
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
        String text;
        try {
            // Jackson decodes overlong forms (C0 AF is '/'); the JDK's decoder rejects them
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Invalid(null, "body: " + invalidUtf8(body) + " (expected: UTF-8)");
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
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
                continue;
            } else if (Character.isSurrogate(c)) {
                throw new Invalid(field, field + ": unpaired surrogate at index " + i + " (expected: valid Unicode)");
            }
            int type = Character.getType(c);
            if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw new Invalid(field, field + ": invisible or formatting character U+" + String.format("%04X", (int) c)
                        + " at index " + i + " (expected: no bidirectional controls, zero-width characters, BOM"
                        + " or line separators)");
            }
            if (c == '/') {
                throw new Invalid(field, field + ": '/' at index " + i + " (expected: no '/', so the id can be"
                        + " looked up at /player/{id}/stats)");
            }
        }
        int first = s.codePointAt(0);
        int last = s.codePointBefore(s.length());
        if (Character.isWhitespace(first) || Character.isSpaceChar(first)
                || Character.isWhitespace(last) || Character.isSpaceChar(last)) {
            throw new Invalid(field, field + ": white space at " + (Character.isWhitespace(first)
                    || Character.isSpaceChar(first) ? "the start" : "the end") + " (expected: none at either end)");
        }
        if (s.equals(".") || s.equals("..")) {
            throw new Invalid(field, field + ": " + s + " (expected: not a path segment of its own)");
        }
        return s;
    }

    /** @return where and what the first malformed UTF-8 sequence in {@code body} is */
    private static String invalidUtf8(byte[] body) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(body);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(body.length + 1);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            StringBuilder bytes = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                bytes.append(i == 0 ? "" : " ").append(String.format("%02X", body[in.position() + i] & 0xFF));
            }
            return "invalid UTF-8 sequence " + bytes + " at byte " + in.position();
        }
        return "invalid UTF-8";
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
