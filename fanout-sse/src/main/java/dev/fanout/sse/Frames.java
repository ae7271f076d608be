package dev.fanout.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The SSE wire format (WHATWG HTML, "Server-sent events", event stream interpretation), UTF-8.
 * Stateless; every method is safe from any thread.
 */
final class Frames {
    /** A comment line and a blank line: keeps idle streams and the proxies between them alive. */
    static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private Frames() {
    }

    static boolean hasLineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** {@code retry: <millis>} followed by a blank line, which dispatches nothing. */
    static byte[] retry(long millis) {
        return ("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The event that tells a client its stream does not continue from its {@code Last-Event-ID}:
     * {@code event: reset}, no {@code id:} (the client keeps its last id until the state that
     * follows brings a new one), and the data {@code {"reason":"<reason>","epoch":"<epoch>"}}.
     *
     * @param reason one of {@link Subscribe}'s gap reasons
     * @param epoch  the hub's epoch, {@code [0-9A-Za-z_]} only
     * @return the frame
     */
    static byte[] reset(String reason, String epoch) {
        // both are plain tokens (fixed words, Position's epoch characters): nothing to escape
        return encode(null, "reset", "{\"reason\":\"" + reason + "\",\"epoch\":\"" + epoch + "\"}");
    }

    /**
     * Encodes one event.
     *
     * @param id    the id, or null for none; must not hold CR, LF or NUL (a client ignores an
     *              id with NUL, so it would resume from an older one)
     * @param event the type, or null for the default; must not hold CR or LF
     * @param data  the data; CR, LF and CRLF each end a line
     * @return the frame, ending with the blank line that dispatches it
     * @throws IllegalArgumentException when id holds CR, LF or NUL, or event holds CR or LF
     */
    static byte[] encode(String id, String event, String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length() + 32);
        if (id != null) {
            if (hasLineBreak(id) || id.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("id: \"" + escape(id).replace("\0", "\\0") + "\" (expected: no CR, LF or NUL)");
            }
            line(out, ID, id);
        }
        if (event != null) {
            if (hasLineBreak(event)) {
                throw new IllegalArgumentException("event: \"" + escape(event) + "\" (expected: no CR or LF)");
            }
            line(out, EVENT, event);
        }
        int start = 0;
        int n = data.length();
        for (int i = 0; i < n; i++) {
            char c = data.charAt(i);
            if (c == '\n' || c == '\r') {
                line(out, DATA, data.substring(start, i));
                if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        line(out, DATA, data.substring(start));
        out.write('\n');
        return out.toByteArray();
    }

    private static void line(ByteArrayOutputStream out, byte[] field, String value) {
        out.writeBytes(field);
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
