package dev.fanout.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.StrategyType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs every subject of the fan-out scenario briefly, outside JMH, with the same threads (one
 * publisher, two drain threads), and holds the honesty checks to account: the probe reaches
 * every subscriber, the counts add up after the run, and a sink that loses a delivery is caught.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetTest {
    private static final Blackhole HOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    private static final int WORKERS = 2;

    static Stream<Arguments> subjects() {
        List<Arguments> all = new ArrayList<>();
        for (int n : new int[] {1, 3, 16, 4096}) {
            for (Peer p : Peer.values()) {
                all.add(Arguments.of(p.name(), n));
            }
            for (EngineType e : EngineType.values()) {
                for (StrategyType s : StrategyType.values()) {
                    if (!s.pushOnly() && e.supports(s)) {
                        all.add(Arguments.of(e + "/" + s, n));
                    }
                }
            }
        }
        return all.stream();
    }

    static Target target(String subject, int n, boolean stalled) {
        int slash = subject.indexOf('/');
        if (slash < 0) {
            return Peer.valueOf(subject).newTarget(n, WORKERS, HOLE);
        }
        return new FanoutTarget(EngineType.valueOf(subject.substring(0, slash)),
                StrategyType.valueOf(subject.substring(slash + 1)), Duration.ofSeconds(1), n, WORKERS, stalled, HOLE);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("subjects")
    void scenario_countsAddUp(String subject, int n) throws Exception {
        try (Target t = target(subject, n, false)) {
            t.probe();
            run(t, n >= 4096 ? 200 : 20_000);
            t.quiesce();
            t.verify();
            assertTrue(t.delivered() > 0, "nothing delivered");
        }
    }

    static Stream<Arguments> lossy() {
        List<Arguments> all = new ArrayList<>();
        for (EngineType e : EngineType.values()) {
            for (StrategyType s : StrategyType.values()) {
                if (!s.pushOnly() && s != StrategyType.SLOW_PRODUCER && e.supports(s)) {
                    all.add(Arguments.of(e, s));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lossy")
    void stalledSubscriber_othersGetTheirMessages(EngineType engine, StrategyType strategy) throws Exception {
        try (Target t = new FanoutTarget(engine, strategy, Duration.ofMillis(1), 16, WORKERS, true, HOLE)) {
            t.probe();
            run(t, 20_000);
            t.quiesce();
            t.verify();
            assertEquals(0, t.sinks[0].count, "the stalled subscriber drained nothing");
        }
    }

    @Test
    void aSinkThatLostDeliveries_failsTheCheck() {
        try (Target t = new FloorTarget(4, WORKERS, HOLE)) {
            t.probe();
            run(t, 1000);
            t.quiesce();
            t.verify();
            t.sinks[2].count--; // a delivery counted that the subscriber never received
            assertThrows(IllegalStateException.class, t::verify);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyEngine_supportsTheStrategiesItsHubAccepts() {
        for (EngineType e : EngineType.values()) {
            for (StrategyType s : StrategyType.values()) {
                if (s.pushOnly()) {
                    continue;
                }
                if (e.supports(s)) {
                    new FanoutTarget(e, s, Duration.ofSeconds(1), 1, 1, false, HOLE).close();
                } else {
                    assertThrows(IllegalArgumentException.class,
                            () -> new FanoutTarget(e, s, Duration.ofSeconds(1), 1, 1, false, HOLE), e + " " + s);
                }
            }
        }
    }

    @Test
    void fanoutCheck_comparesTheHandlersWithTheHubsCounters() {
        try (Target t = target("QUEUES/DROP_NEWEST", 4, false)) {
            t.probe();
            t.sinks[1].count++; // the handler claims a message the hub never delivered
            assertThrows(IllegalStateException.class, t::verify);
        }
    }

    /** OneThreadBenchmark's premise: each operation, a publish and one sweep, delivers to all N. */
    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("oneThreadSubjects")
    void oneThread_everyOperationDeliversToAll(OneThreadBenchmark.Subject subject, int n) {
        Target t = subject.newTarget(n, HOLE);
        t.probe();
        for (int i = 0; i < 2_000; i++) {
            t.publish(Messages.get(i));
            assertEquals(n, t.sweep(0), subject + " operation " + i);
        }
        t.finish();
        assertEquals(2_001, t.sinks[n - 1].count, "the probe and every message");
    }

    static Stream<Arguments> oneThreadSubjects() {
        return Stream.of(OneThreadBenchmark.Subject.values())
                .flatMap(s -> Stream.of(Arguments.of(s, 1), Arguments.of(s, 16)));
    }

    /** One publisher thread publishes {@code messages}; two drain threads sweep until it is done. */
    private static void run(Target t, int messages) throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> drains = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            drains.add(Thread.ofPlatform().name("drain-" + w).start(() -> {
                while (!done.get()) {
                    if (t.sweep(worker) == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        Thread publisher = Thread.ofPlatform().name("publisher").start(() -> {
            for (int i = 0; i < messages; i++) {
                t.publish(Messages.get(i));
            }
        });
        publisher.join(TimeUnit.SECONDS.toMillis(30));
        boolean stuck = publisher.isAlive();
        done.set(true);
        for (Thread d : drains) {
            d.join();
        }
        if (stuck) {
            StringBuilder trace = new StringBuilder();
            for (StackTraceElement e : publisher.getStackTrace()) {
                trace.append("\n  at ").append(e);
            }
            throw new AssertionError(t + ": the publisher did not finish in 30 s" + trace);
        }
    }
}
