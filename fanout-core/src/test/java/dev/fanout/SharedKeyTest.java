package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fanout.spi.HubListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A publish makes a message's {@code latestPerKey} key once per key function and offers it to
 * every buffer keyed by that function; what a key's {@code equals} throws is still reported for
 * the subscription whose buffer called it, and only for that one.
 */
class SharedKeyTest {

    @Test
    void subscribersSharingAKeyFunction_runItOncePerPublish_andEachKeepsItsLatestPerKey() {
        AtomicInteger sharedCalls = new AtomicInteger();
        AtomicInteger ownCalls = new AtomicInteger();
        Function<Integer, Object> shared = m -> {
            sharedCalls.incrementAndGet();
            return m % 2;
        };
        Hub<Integer> hub = Hub.<Integer>builder().capacity(8).build();
        Overflow byParity = Overflow.latestPerKey(shared);
        PullSubscription<Integer> a = hub.subscribe(byParity);
        PullSubscription<Integer> b = hub.subscribe(Overflow.latestPerKey(shared));
        PullSubscription<Integer> c = hub.subscribe(Overflow.latestPerKey((Integer m) -> {
            ownCalls.incrementAndGet();
            return m % 3;
        }));
        for (int m = 1; m <= 10; m++) {
            hub.publish(m);
        }
        assertEquals(10, sharedCalls.get(), "the shared key function, once per publish");
        assertEquals(10, ownCalls.get(), "another key function, once per publish too");
        assertEquals(List.of(9, 10), messages(a));
        assertEquals(List.of(9, 10), messages(b));
        assertEquals(List.of(8, 9, 10), messages(c));
        hub.close();
    }

    @Test
    void anEqualsThatThrows_isReportedForTheBufferThatCalledIt_only() {
        List<Subscription<?>> reported = new CopyOnWriteArrayList<>();
        List<Long> sequences = new CopyOnWriteArrayList<>();
        HubListener listener = new HubListener() {
            @Override
            public void onHandlerError(Subscription<?> subscription, long sequence, Throwable error) {
                reported.add(subscription);
                sequences.add(sequence);
            }
        };
        Hub<Integer> hub = Hub.<Integer>builder().capacity(8).listener(listener).build();
        Function<Integer, Object> key = CollidingKey::new;
        PullSubscription<Integer> holding = hub.subscribe(Overflow.latestPerKey(key));
        hub.publish(1); // pending in the first buffer only
        PullSubscription<Integer> empty = hub.subscribe(Overflow.latestPerKey(key));
        hub.publish(2); // the first buffer compares keys (and equals throws); the second has none to compare

        assertEquals(List.of(holding), reported, "reported for the buffer whose equals threw");
        assertEquals(List.of(2L), sequences);
        assertEquals(List.of(1, 2), messages(holding), "a key whose equals throws is never conflated");
        assertEquals(List.of(2), messages(empty));
        hub.close();
    }

    /** Every key has the same hash; comparing two different ones throws. */
    private record CollidingKey(int m) {
        @Override
        public int hashCode() {
            return 7;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            throw new IllegalStateException("equals of key " + m);
        }
    }

    private static List<Integer> messages(PullSubscription<Integer> s) {
        List<Integer> out = new ArrayList<>();
        for (Optional<Delivery<Integer>> d = s.poll(); d.isPresent(); d = s.poll()) {
            out.add(d.get().message());
        }
        return out;
    }
}
