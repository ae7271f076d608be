package dev.fanout.leaderboard.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * An incremental parser of one HTTP/1.1 response carrying a Server-Sent-Events body: the status
 * line, the headers, a chunked or length-delimited or until-close body, and inside it the SSE
 * lines ({@code id}, {@code event}, {@code data}, {@code retry}, comments), as the event-stream
 * spec reads them (lines end with CRLF, LF or CR; one optional space after the colon; several
 * {@code data} lines join with LF; an empty line dispatches the event when it has data).
 *
 * <p>Bytes arrive in any split ({@link #feed(ByteBuffer)} consumes the whole buffer); nothing is
 * allocated per byte and the data of an event is handed over as a region of a reused array, so
 * one parser per connection costs a few hundred bytes at rest. Not thread-safe: one selector
 * thread owns it.
 */
public final class SseParser {

    /** What the parser found; called on the feeding thread. */
    public interface Listener {
        /** The status line was read. */
        void onStatus(int status);

        /** The headers ended; the body (the event stream when the status is 200) follows. */
        default void onHeaders(boolean chunked, long contentLength) {
        }

        /**
         * An event was dispatched.
         *
         * @param id      the number of the last event id seen on this stream: the whole id, or the
         *                what follows its last {@code -} (the version of a leaderboard id,
         *                {@code epoch-version}); -1 when absent or not numeric
         * @param event   the event type ({@code message} when none was given)
         * @param data    the data bytes, valid only during the call
         * @param length  how many bytes of {@code data} are the event's data
         */
        void onEvent(long id, String event, byte[] data, int length);

        /**
         * A response header, before {@link #onHeaders(boolean, long)}.
         *
         * @param name  the name as sent
         * @param value the value, trimmed
         */
        default void onHeader(String name, String value) {
        }

        /** A comment line such as a heartbeat ({@code : heartbeat}). */
        default void onComment() {
        }

        /** The body ended (last chunk or content length reached). */
        default void onEnd() {
        }
    }

    /** Thrown for bytes that are not a well-formed response. */
    public static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    private enum State { STATUS, HEADERS, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, BODY, DONE }

    private static final int MAX_LINE = 1 << 20;

    private final Listener listener;
    private State state = State.STATUS;
    private boolean chunked;
    private long contentLength = -1;
    private long remaining; // of the current chunk, or of the content length

    // the HTTP line being read (status, header, chunk size)
    private byte[] head = new byte[128];
    private int headLen;

    // SSE line parsing
    private byte[] line = new byte[256];
    private int lineLen;
    private boolean skipLf; // a CR ended the previous line; a following LF belongs to it
    private byte[] data = new byte[256];
    private int dataLen;
    private boolean hasData;
    private String eventType = "message";
    private long lastId = -1;
    private byte[] idText = new byte[32]; // the last id line's value, as sent
    private int idTextLen = -1; // -1: no id yet
    private String idString; // idText as a String, made on demand

    /** @param listener receives what is parsed */
    public SseParser(Listener listener) {
        this.listener = listener;
    }

    /**
     * @return the last event id of this stream exactly as sent (what a reconnecting client sends
     *         as {@code Last-Event-ID}), or empty before any {@code id} line
     */
    public Optional<String> lastEventId() {
        if (idTextLen < 0) {
            return Optional.empty();
        }
        if (idString == null) {
            idString = new String(idText, 0, idTextLen, StandardCharsets.UTF_8);
        }
        return Optional.of(idString);
    }

    /** @return true once the body has ended */
    public boolean done() {
        return state == State.DONE;
    }

    /** @return true once the status line and headers are read */
    public boolean inBody() {
        return state.ordinal() > State.HEADERS.ordinal();
    }

    /**
     * Consumes every remaining byte of {@code buf}.
     *
     * @throws ProtocolException on a malformed status line, header block or chunk size
     */
    public void feed(ByteBuffer buf) throws ProtocolException {
        while (buf.hasRemaining()) {
            switch (state) {
                case STATUS, HEADERS, CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                    byte b = buf.get();
                    if (b == '\n') {
                        int n = headLen > 0 && head[headLen - 1] == '\r' ? headLen - 1 : headLen;
                        headLen = 0;
                        headLine(n);
                    } else {
                        if (headLen == head.length) {
                            if (headLen >= 16 * 1024) {
                                throw new ProtocolException("HTTP line longer than 16 KiB");
                            }
                            head = Arrays.copyOf(head, headLen * 2);
                        }
                        head[headLen++] = b;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, buf.remaining());
                    sse(buf, n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case BODY -> {
                    int n = contentLength < 0 ? buf.remaining() : (int) Math.min(remaining, buf.remaining());
                    sse(buf, n);
                    if (contentLength >= 0) {
                        remaining -= n;
                        if (remaining == 0) {
                            end();
                        }
                    }
                }
                case DONE -> buf.position(buf.limit()); // ignore anything after the end
            }
        }
    }

    private void headLine(int n) throws ProtocolException {
        switch (state) {
            case STATUS -> {
                // HTTP/1.1 200 OK
                if (n < 12 || !startsWith(head, n, "HTTP/1.")) {
                    throw new ProtocolException("not an HTTP/1.x status line: " + ascii(head, n));
                }
                int status = digits(head, 9, 12);
                if (status < 100) {
                    throw new ProtocolException("bad status code: " + ascii(head, n));
                }
                listener.onStatus(status);
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (n == 0) {
                    listener.onHeaders(chunked, contentLength);
                    if (chunked) {
                        state = State.CHUNK_SIZE;
                    } else if (contentLength == 0) {
                        end();
                    } else {
                        remaining = contentLength;
                        state = State.BODY;
                    }
                    return;
                }
                String h = ascii(head, n);
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException("malformed header: " + h);
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                listener.onHeader(name, value);
                if (name.equalsIgnoreCase("transfer-encoding") && value.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("content-length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new ProtocolException("bad Content-Length: " + value);
                    }
                }
            }
            case CHUNK_SIZE -> {
                long size = 0;
                int digits = 0;
                for (int i = 0; i < n; i++) {
                    int d = Character.digit(head[i], 16);
                    if (d < 0) {
                        break; // chunk extensions
                    }
                    size = size * 16 + d;
                    if (++digits > 15) {
                        throw new ProtocolException("chunk size too large");
                    }
                }
                if (digits == 0) {
                    throw new ProtocolException("bad chunk size: " + ascii(head, n));
                }
                if (size == 0) {
                    state = State.TRAILERS;
                } else {
                    remaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case CHUNK_END -> {
                if (n != 0) {
                    throw new ProtocolException("chunk not followed by CRLF");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (n == 0) {
                    end();
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void end() {
        state = State.DONE;
        listener.onEnd();
    }

    /** Parses {@code n} bytes of the event stream. */
    private void sse(ByteBuffer buf, int n) {
        for (int i = 0; i < n; i++) {
            byte b = buf.get();
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                sseLine();
                lineLen = 0;
            } else {
                if (lineLen == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_LINE, lineLen * 2));
                    if (lineLen == line.length) {
                        continue; // an absurdly long line: truncated
                    }
                }
                line[lineLen++] = b;
            }
        }
    }

    private void sseLine() {
        int n = lineLen;
        if (n == 0) {
            if (hasData) {
                listener.onEvent(lastId, eventType, data, dataLen);
            }
            hasData = false;
            dataLen = 0;
            eventType = "message";
            return;
        }
        if (line[0] == ':') {
            listener.onComment();
            return;
        }
        int colon = -1;
        for (int i = 0; i < n; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        int nameEnd = colon < 0 ? n : colon;
        int valueStart = colon < 0 ? n : colon + 1;
        if (valueStart < n && line[valueStart] == ' ') {
            valueStart++;
        }
        if (is("data", nameEnd)) {
            int len = n - valueStart;
            int need = dataLen + (hasData ? 1 : 0) + len;
            if (need > data.length) {
                data = Arrays.copyOf(data, Math.max(need, data.length * 2));
            }
            if (hasData) {
                data[dataLen++] = '\n';
            }
            System.arraycopy(line, valueStart, data, dataLen, len);
            dataLen += len;
            hasData = true;
        } else if (is("id", nameEnd)) {
            int len = n - valueStart;
            if (len > idText.length) {
                idText = Arrays.copyOf(idText, Math.max(len, idText.length * 2));
            }
            System.arraycopy(line, valueStart, idText, 0, len);
            idTextLen = len;
            idString = null;
            int from = valueStart;
            for (int i = n - 1; i > valueStart; i--) {
                if (line[i] == '-') { // epoch-version: the version
                    from = i + 1;
                    break;
                }
            }
            long id = 0;
            boolean numeric = from < n && n - from <= 18;
            for (int i = from; i < n && numeric; i++) {
                int d = line[i] - '0';
                if (d < 0 || d > 9) {
                    numeric = false;
                } else {
                    id = id * 10 + d;
                }
            }
            lastId = numeric ? id : -1;
        } else if (is("event", nameEnd)) {
            eventType = is("leaderboard", valueStart, n) ? "leaderboard"
                    : new String(line, valueStart, n - valueStart, StandardCharsets.UTF_8);
        }
        // retry and unknown fields are ignored
    }

    private boolean is(String name, int nameEnd) {
        return is(name, 0, nameEnd);
    }

    private boolean is(String s, int from, int to) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (line[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int n, String prefix) {
        if (n < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int digits(byte[] b, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static String ascii(byte[] b, int n) {
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /**
     * Finds a non-negative integer JSON member such as {@code "published_at":1718000000123} in
     * {@code data}, without a JSON parser: the snapshot's own fields come first and hold numbers.
     *
     * @return the number, or -1 when the member is absent or not a non-negative integer
     */
    public static long longField(byte[] data, int length, byte[] quotedName) {
        outer:
        for (int i = 0; i + quotedName.length < length; i++) {
            for (int j = 0; j < quotedName.length; j++) {
                if (data[i + j] != quotedName[j]) {
                    continue outer;
                }
            }
            int k = i + quotedName.length;
            while (k < length && (data[k] == ' ' || data[k] == ':')) {
                k++;
            }
            long v = 0;
            int start = k;
            while (k < length && data[k] >= '0' && data[k] <= '9' && k - start < 19) {
                v = v * 10 + (data[k] - '0');
                k++;
            }
            return k > start ? v : -1;
        }
        return -1;
    }
}
