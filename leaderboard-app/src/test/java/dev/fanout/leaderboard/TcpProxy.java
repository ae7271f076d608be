package dev.fanout.leaderboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy that a test can cut and restore on the same port, to simulate an outage,
 * or hold (bytes wait, connections stay open) and release, to simulate a slow link.
 */
final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean held;
    private final Object release = new Object();

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = s.getLocalPort();
        serve(s);
    }

    int port() {
        return port;
    }

    private void serve(ServerSocket s) throws IOException {
        s.setReuseAddress(true);
        server = s;
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitRelease();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private void awaitRelease() throws IOException {
        synchronized (release) {
            while (held) {
                try {
                    release.wait();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        }
    }

    /** Holds every byte from now on (both ways) until {@link #release()}: the connections stay open. */
    void hold() {
        held = true;
    }

    /** Lets the held bytes through, and every later one. */
    void release() {
        synchronized (release) {
            held = false;
            release.notifyAll();
        }
    }

    /** Refuses new connections and drops the open ones. */
    void cut() {
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Listens again on the same port. */
    void restore() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        serve(s);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // ignore
        }
    }

    @Override
    public void close() {
        cut();
    }
}
