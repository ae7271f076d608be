package dev.fanout.sse;

import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the SSE format, written from the WHATWG algorithm ("interpret an event
 * stream"), to check what a browser would see. Lines must already be split; not thread-safe.
 */
final class SseParser {
    record Event(String id, String type, String data) {
    }

    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private String lastId = "";
    private boolean sawData;
    int comments;
    long retry = -1;

    /** @return the event this line dispatched, or null */
    Event line(String line) {
        if (line.isEmpty()) {
            if (!sawData) {
                type = "";
                return null;
            }
            String d = data.toString();
            if (d.endsWith("\n")) {
                d = d.substring(0, d.length() - 1);
            }
            Event e = new Event(lastId, type.isEmpty() ? "message" : type, d);
            data.setLength(0);
            type = "";
            sawData = false;
            return e;
        }
        if (line.startsWith(":")) {
            comments++;
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                data.append(value).append('\n');
                sawData = true;
            }
            case "event" -> type = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastId = value;
                }
            }
            case "retry" -> {
                if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** Splits on CRLF, CR or LF, as the spec does, and parses every line. */
    static List<Event> parseAll(String stream) {
        SseParser p = new SseParser();
        List<Event> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < stream.length(); i++) {
            char c = stream.charAt(i);
            if (c == '\n' || c == '\r') {
                Event e = p.line(stream.substring(start, i));
                if (e != null) {
                    out.add(e);
                }
                if (c == '\r' && i + 1 < stream.length() && stream.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return out;
    }
}
