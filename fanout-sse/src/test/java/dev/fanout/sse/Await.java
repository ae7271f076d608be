package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a generous deadline: the tests check outcomes, never timings. */
final class Await {
    private Await() {
    }

    static void until(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        until(Duration.ofSeconds(20), condition, what);
    }

    static void until(Duration limit, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + limit + ": " + what.get());
            }
            Thread.sleep(10);
        }
    }
}
