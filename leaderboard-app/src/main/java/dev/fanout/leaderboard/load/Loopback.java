package dev.fanout.leaderboard.load;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The guard that keeps the load generator on this machine: every target and every source address
 * must be a loopback address, checked after name resolution (so {@code localhost} passes and a
 * name that resolves elsewhere does not).
 */
public final class Loopback {

    private Loopback() {
    }

    /**
     * @param url an {@code http://host:port/...} URL
     * @return the resolved socket address to connect to
     * @throws IllegalArgumentException when it is not plain HTTP or not a loopback address
     */
    public static InetSocketAddress target(URI url) {
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("target " + url + ": only http:// is supported");
        }
        String host = url.getHost();
        if (host == null) {
            throw new IllegalArgumentException("target " + url + ": no host");
        }
        InetAddress a = loopback(host, "target " + url);
        int port = url.getPort() < 0 ? 80 : url.getPort();
        return new InetSocketAddress(a, port);
    }

    /**
     * @param host a name or address
     * @param what what it is, for the message
     * @return the address
     * @throws IllegalArgumentException unless every address it resolves to is a loopback address
     */
    public static InetAddress loopback(String host, String what) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + ": unknown host " + host, e);
        }
        for (InetAddress a : all) {
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException(what + ": " + a.getHostAddress()
                        + " is not a loopback address; the load generator only targets this machine");
            }
        }
        return all[0];
    }

    /**
     * Source addresses {@code from}, {@code from+1}, ... ({@code count} of them) in 127.0.0.0/8.
     *
     * @throws IllegalArgumentException when {@code from} is not IPv4 loopback or the range leaves 127.0.0.0/8
     */
    public static List<InetAddress> sources(String from, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("sources: " + count + " (expected: >= 1)");
        }
        InetAddress first = loopback(from, "source");
        if (!(first instanceof Inet4Address)) {
            throw new IllegalArgumentException("source " + from + ": expected an IPv4 address in 127.0.0.0/8");
        }
        byte[] b = first.getAddress();
        long base = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
        List<InetAddress> out = new ArrayList<>(count);
        for (long v = base; out.size() < count; v++) {
            if ((v >>> 24) != 127) {
                throw new IllegalArgumentException("sources: " + count + " from " + from + " leave 127.0.0.0/8");
            }
            if ((v & 0xFF) == 0 || (v & 0xFF) == 0xFF) {
                continue; // no .0 or .255 source
            }
            byte[] a = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
            try {
                out.add(InetAddress.getByAddress(a));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
