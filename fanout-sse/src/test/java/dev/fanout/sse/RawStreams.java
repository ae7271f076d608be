package dev.fanout.sse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Plain sockets for the tests that must see connections one by one, as the server does (an HTTP
 * client would pool and reuse them). Each method times out after 5 s.
 */
final class RawStreams {
    private RawStreams() {
    }

    /** @return a new connection to the server on loopback {@code port} */
    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    /**
     * Sends {@code GET /events} on {@code s} and reads the status line's code; after a 200 the
     * stream stays open on {@code s}.
     *
     * @return the response's status code
     */
    static int requestEvents(Socket s) throws IOException {
        s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        s.setSoTimeout(5000);
        String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        return Integer.parseInt(head.substring(9, 12));
    }
}
