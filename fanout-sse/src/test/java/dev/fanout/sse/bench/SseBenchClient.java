package dev.fanout.sse.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import org.HdrHistogram.Histogram;

/**
 * A benchmark client process: holds many SSE connections on one selector thread and records,
 * for every event on every connection, now minus the publish time the event carries (epoch
 * microseconds, the first token of its data). Prints "READY" once all streams are open and,
 * once every connection has seen the end marker (an event whose timestamp is 0), or 20 s after
 * the first one did, the histogram (compressed, base64) and exits. A latest-only stream may
 * skip a broadcast under load; the sample count shows it.
 *
 * <p>Usage: {@code SseBenchClient host port path connections events warmup sourceAddress...}
 */
public final class SseBenchClient {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    /** Per-connection parse state: how far into "data: " we matched and the digits so far. */
    private static final class Conn {
        int match;
        boolean digits;
        long value;
        int events;
        boolean started;
        boolean ended;
    }

    private SseBenchClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int n = Integer.parseInt(args[3]);
        int events = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        String[] sources = java.util.Arrays.copyOfRange(args, 6, args.length);
        PrintStream out = System.out;

        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Selector selector = Selector.open();
        InetSocketAddress server = new InetSocketAddress(host, port);
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            ch.bind(new InetSocketAddress(sources[i % sources.length], 0));
            ch.connect(server); // blocking connect: simple, and it paces the opening
            ch.write(ByteBuffer.wrap(request));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, new Conn());
        }

        Histogram histogram = new Histogram(60_000_000L, 3);
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        byte[] bytes = new byte[64 * 1024];
        int started = 0;
        int ended = 0;
        long firstEnd = 0;
        boolean ready = false;
        while (ended < n && (firstEnd == 0 || System.nanoTime() - firstEnd < 20_000_000_000L)) {
            selector.select(1000);
            long now = nowMicros();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                SocketChannel ch = (SocketChannel) key.channel();
                Conn c = (Conn) key.attachment();
                buf.clear();
                int r;
                try {
                    r = ch.read(buf);
                } catch (IOException e) {
                    r = -1;
                }
                if (r < 0) {
                    System.err.println("connection closed by server");
                    key.cancel();
                    ch.close();
                    if (!c.ended) {
                        c.ended = true;
                        ended++;
                    }
                    continue;
                }
                buf.flip();
                int len = buf.remaining();
                buf.get(bytes, 0, len);
                if (c.ended) {
                    continue;
                }
                if (!c.started) {
                    c.started = true;
                    started++;
                }
                for (int i = 0; i < len; i++) {
                    byte b = bytes[i];
                    if (c.digits) {
                        if (b >= '0' && b <= '9') {
                            c.value = c.value * 10 + (b - '0');
                        } else {
                            c.digits = false;
                            if (c.value == 0) {
                                if (!c.ended) {
                                    c.ended = true;
                                    ended++;
                                    if (firstEnd == 0) {
                                        firstEnd = System.nanoTime();
                                    }
                                }
                                continue;
                            }
                            c.events++;
                            if (c.events > warmup) {
                                histogram.recordValue(Math.max(0, now - c.value));
                            }
                        }
                    } else if (b == DATA[c.match]) {
                        if (++c.match == DATA.length) {
                            c.match = 0;
                            c.digits = true;
                            c.value = 0;
                        }
                    } else {
                        c.match = b == DATA[0] ? 1 : 0;
                    }
                }
            }
            if (!ready && started == n) {
                ready = true;
                out.println("READY");
                out.flush();
            }
        }
        ByteBuffer enc = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int size = histogram.encodeIntoCompressedByteBuffer(enc);
        out.println("HISTOGRAM " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(enc.array(), size)));
        out.flush();
        System.exit(0);
    }

    static long nowMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
