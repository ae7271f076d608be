package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackTest {

    @Test
    void acceptsLoopbackTargets() {
        assertEquals(8080, Loopback.target(URI.create("http://127.0.0.1:8080/")).getPort());
        assertTrue(Loopback.target(URI.create("http://127.0.0.7:9")).getAddress().isLoopbackAddress());
        assertTrue(Loopback.target(URI.create("http://localhost:9")).getAddress().isLoopbackAddress());
        assertTrue(Loopback.target(URI.create("http://[::1]:9")).getAddress().isLoopbackAddress());
        assertEquals(80, Loopback.target(URI.create("http://127.0.0.1/")).getPort());
    }

    @Test
    void refusesEverythingElse() {
        for (String u : List.of("http://10.0.0.1:8080", "http://192.168.1.1", "http://0.0.0.0:8080", "http://[::]:80",
                "http://8.8.8.8", "https://127.0.0.1:8443", "http://[2001:db8::1]:80")) {
            assertThrows(IllegalArgumentException.class, () -> Loopback.target(URI.create(u)), u);
        }
        assertThrows(IllegalArgumentException.class, () -> Loopback.sources("10.0.0.2", 1));
        assertThrows(IllegalArgumentException.class, () -> Loopback.sources("::1", 1));
    }

    @Test
    void sourcesStayIn127Slash8AndSkipDotZeroAndDot255() throws Exception {
        List<InetAddress> s = Loopback.sources("127.0.0.254", 3);
        assertEquals(List.of(InetAddress.getByName("127.0.0.254"), InetAddress.getByName("127.0.1.1"),
                InetAddress.getByName("127.0.1.2")), s);
        assertThrows(IllegalArgumentException.class, () -> Loopback.sources("127.255.255.254", 2));
        assertThrows(IllegalArgumentException.class, () -> Loopback.sources("127.0.0.2", 0));
    }
}
