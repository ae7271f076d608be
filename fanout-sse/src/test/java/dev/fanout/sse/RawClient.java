package dev.fanout.sse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A bare HTTP/1.1 SSE client on a socket, for clients that misbehave: vanish or stop reading. */
final class RawClient implements AutoCloseable {
    final Socket socket;

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    /**
     * Connects, sends the request and, when {@code awaitHeaders}, reads until the retry hint
     * arrived (the stream is then open on the server).
     */
    static RawClient open(URI uri, int receiveBuffer, boolean awaitHeaders) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        s.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (awaitHeaders) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[512];
            while (seen.indexOf("retry:") < 0) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("closed before the stream started: " + seen);
                }
                seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        return new RawClient(s);
    }

    /** Closes with a TCP reset, as a killed process or a dropped network would look. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
