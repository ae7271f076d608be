package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lifecycle: closed subscriptions are detached and collectable, a hub close releases parked
 * producers, and no thread of the hub outlives it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleLeakTest {

    private static final int CYCLES = 10_000;

    @ParameterizedTest(name = "{0}")
    @EnumSource(EngineType.class)
    void subscribeCloseCycles_whilePublishing_leaveNoSubscriberAndNoReachableSubscription(EngineType engine)
            throws Exception {
        // on the ring the wake list holds subscribers too: some of these await (and enlist) before they close
        Hub<Integer> hub = (engine.isRing() ? Hub.<Integer>builder().engine(Engine.ring(16))
                : Hub.<Integer>builder()).name("cycles").capacity(16)
                .overflow(Overflow.dropOldest()).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        Thread publisher = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                hub.publish(i++);
                published.incrementAndGet();
            }
        }, "test-cycles-publisher");
        publisher.start();

        ReferenceQueue<Subscription<Integer>> queue = new ReferenceQueue<>();
        Set<Reference<Subscription<Integer>>> refs = new HashSet<>();
        AtomicLong handled = new AtomicLong();
        for (int i = 0; i < CYCLES; i++) {
            Subscription<Integer> s = switch (i % 5) {
                case 0 -> hub.subscribe(Overflow.dropOldest());
                case 1 -> hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)));
                case 2 -> hub.subscribe(engine.isRing() ? Overflow.disconnect() : Overflow.dropNewest(),
                        (seq, m) -> handled.incrementAndGet());
                case 3 -> hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(10)), (seq, m) -> handled.incrementAndGet());
                default -> hub.subscribe(Overflow.latestOnly(), (seq, m) -> handled.incrementAndGet());
            };
            if (s instanceof PullSubscription<Integer> pull && (i & 2) == 0) {
                pull.poll(); // some take a message before they go
            } else if (s instanceof PullSubscription<Integer> pull && (i & 4) == 0) {
                pull.await(Duration.ofNanos(1)); // enlists on the ring's wake list unless a message is there
            }
            s.close();
            // a disconnect subscriber may have been closed SLOW by the publisher first
            assertTrue(s.closeReason().isPresent(), s::toString);
            refs.add(new WeakReference<>(s, queue));
        }
        running.set(false);
        publisher.join(20_000);
        assertFalse(publisher.isAlive(), "publisher stuck");
        assertTrue(published.get() > 0, "the publisher ran");

        assertEquals(0, hub.subscriberCount(), "closed subscriptions still attached");
        HubStats stats = hub.stats();
        assertEquals(0, stats.subscribers());
        assertEquals(CYCLES, stats.subscribed());

        // every closed subscription becomes unreachable (push drain tasks may need a moment to end)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!refs.isEmpty() && System.nanoTime() - deadline < 0) {
            System.gc();
            Reference<? extends Subscription<Integer>> r;
            while ((r = queue.remove(50)) != null) {
                refs.remove(r);
            }
        }
        assertEquals(0, refs.size(), refs.size() + " of " + CYCLES + " closed subscriptions are still reachable");
        hub.close();
    }

    /**
     * Ring engine: a lossless subscriber parked in await (so on the hub's wake list) and closed
     * by another thread, while the publisher waits for it on a full ring, releases the publisher
     * at once (not after its 60 s limit), leaves the wake list, and becomes unreachable.
     */
    @Test
    void ring_closedLosslessSubscriber_releasesThePublisher_andIsNotReachableFromTheHub() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().name("ring-close").engine(Engine.ring(8)).capacity(4)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(60))).build();
        ReferenceQueue<Subscription<Integer>> queue = new ReferenceQueue<>();
        Set<Reference<Subscription<Integer>>> refs = new HashSet<>();
        for (int round = 0; round < 20; round++) {
            closeWhileThePublisherWaits(hub, queue, refs);
        }
        assertEquals(0, hub.subscriberCount());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!refs.isEmpty() && System.nanoTime() - deadline < 0) {
            System.gc();
            Reference<? extends Subscription<Integer>> r;
            while ((r = queue.remove(50)) != null) {
                refs.remove(r);
            }
        }
        assertEquals(0, refs.size(), refs.size() + " closed ring subscriptions are still reachable (wake list?)");
        hub.close();
    }

    /**
     * One round, in a method of its own so that its locals die with its frame: an interpreted
     * test method keeps the last round's subscription in a local slot, which would make it look
     * leaked.
     */
    private static void closeWhileThePublisherWaits(Hub<Integer> hub, ReferenceQueue<Subscription<Integer>> queue,
                                                    Set<Reference<Subscription<Integer>>> refs) throws Exception {
            PullSubscription<Integer> s = hub.subscribe();
            Thread waiter = Thread.ofPlatform().name("test-awaiting").start(() -> s.await(Duration.ofSeconds(30)));
            while (waiter.getState() != Thread.State.TIMED_WAITING) { // parked in await: enlisted
                assertTrue(waiter.isAlive(), "await returned early");
                Thread.onSpinWait();
            }
            AtomicLong published = new AtomicLong();
            Thread publisher = Thread.ofPlatform().name("test-ring-publisher").start(() -> {
                for (int i = 0; i < 20; i++) { // more than the ring: it parks for the subscriber
                    hub.publish(i);
                    published.incrementAndGet();
                }
            });
            while (hub.waitingPublisher() == null) {
                assertTrue(publisher.isAlive(), "the publisher never waited for the subscriber");
                Thread.onSpinWait();
            }
            s.close();
            publisher.join(10_000); // far less than the 60 s it would wait for a subscriber that never reads
            assertFalse(publisher.isAlive(), "a closed lossless subscriber still holds the publisher");
            assertEquals(20, published.get());
            waiter.join(10_000);
            assertFalse(waiter.isAlive());
            SubscriptionStats st = s.stats();
            assertEquals(st.offered(), st.delivered() + st.dropped() + st.depth(), st::toString);
            assertEquals(0, st.timedOut(), "its loss is the close's, not a timeout: " + st);
            refs.add(new WeakReference<>(s, queue));
        }

    @Test
    void hubClose_releasesProducersParkedInPublish_withDroppedClosed() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().name("parked").capacity(4)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(60))).build();
        PullSubscription<Integer> never = hub.subscribe(); // never consumes
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            producers.add(Thread.ofPlatform().name("test-parked-" + p).start(() -> {
                PublishResult r;
                do {
                    r = hub.publishAndReport(1);
                    results.add(r);
                } while (r.isPublished());
            }));
        }
        // the fifth publish found the buffer full: its publisher parks (the others queue behind it)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (never.stats().offered() <= never.capacity()) {
            assertTrue(System.nanoTime() - deadline < 0, "the subscriber never filled");
            LockSupport.parkNanos(100_000);
        }
        hub.close();
        for (Thread t : producers) {
            t.join(20_000);
            assertFalse(t.isAlive(), t.getName() + " still parked in publish after hub close");
        }
        List<PublishResult> published = results.stream().filter(PublishResult::isPublished).toList();
        assertEquals(4, never.capacity());
        assertEquals(5, published.size(), "four accepted, one parked: " + results);
        assertEquals(3, results.size() - published.size(), "each producer's last publish reports HUB_CLOSED");
        PublishResult parked = published.stream().filter(r -> r.sequence() == 5).findFirst().orElseThrow();
        assertEquals(1, parked.dropped(DropCause.CLOSED), parked::toString);
        assertEquals(0, parked.accepted(), parked::toString);
        assertEquals(1, hub.stats().closed());
        assertEquals(1, never.stats().closed());
    }

    @Test
    void afterCloseAndAwaitTermination_everyExecutorTaskHasEnded_andEverythingHeldWasHandled() throws Exception {
        CountingExecutor executor = new CountingExecutor();
        Hub<Integer> hub = Hub.<Integer>builder().name("threads").capacity(64).executor(executor)
                .overflow(Overflow.slowProducer(Duration.ofSeconds(30))).build();
        AtomicInteger inHandler = new AtomicInteger();
        AtomicLong slowHandled = new AtomicLong();
        Subscription<Integer> slow = hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(30)), (seq, m) -> {
            inHandler.incrementAndGet();
            LockSupport.parkNanos(200_000);
            slowHandled.incrementAndGet();
            inHandler.decrementAndGet();
        });
        Subscription<Integer> fast = hub.subscribe(Overflow.dropOldest(), (seq, m) -> { });
        AtomicLong elasticHandled = new AtomicLong();
        // min 2 workers and a long idle timeout: only the hub close can end them
        Subscription<Integer> elastic = hub.subscribe(Overflow.elasticWorkers(2, 4, 4, Duration.ofMinutes(5)),
                (seq, m) -> {
                    inHandler.incrementAndGet();
                    LockSupport.parkNanos(100_000);
                    elasticHandled.incrementAndGet();
                    inHandler.decrementAndGet();
                });
        for (int i = 0; i < 200; i++) {
            hub.publish(i);
        }
        hub.close(); // with a backlog: the subscriptions deliver it, then end
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscriptions did not terminate");
        assertEquals(0, inHandler.get(), "a handler still runs after awaitTermination");
        assertEquals(200, slowHandled.get(), "slow subscription delivered what it held before terminating");
        assertEquals(200, elasticHandled.get(), "elastic subscription delivered what it held before terminating");
        for (Subscription<Integer> s : List.of(slow, fast, elastic)) {
            SubscriptionStats st = s.stats();
            assertEquals(st.offered(), st.delivered() + st.dropped(), s + " " + st);
            assertEquals(0, st.depth(), s + " " + st);
            assertTrue(s.isClosed(), s::toString);
        }
        assertEquals(0, elastic.stats().workers(), "elastic workers after termination");
        assertTrue(executor.started.get() >= 3, "the executor ran the push subscriptions: " + executor.started);
        for (Thread t : executor.threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " outlived the hub:\n" + stack(t));
        }
        assertEquals(executor.started.get(), executor.finished.get(), "executor tasks still running");
    }

    @Test
    void defaultExecutor_noFanoutThreadAliveAfterCloseAndAwaitTermination() throws Exception {
        Hub<Integer> hub = Hub.<Integer>builder().name("vthreads").capacity(64).build();
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        hub.subscribe(Overflow.slowProducer(Duration.ofSeconds(30)), (seq, m) -> {
            handling.countDown();
            awaitQuietly(release);
        });
        hub.subscribe(Overflow.elasticWorkers(2, 4, 4, Duration.ofMinutes(5)), (seq, m) -> { });
        hub.subscribe(Overflow.dropOldest(), (seq, m) -> { });
        for (int i = 0; i < 32; i++) { // fewer than the capacity: the blocked handler never stalls publish
            hub.publish(i);
        }
        assertTrue(handling.await(20, TimeUnit.SECONDS));
        // the detector sees the hub's virtual threads while they exist
        Set<String> before = fanoutThreads("vthreads");
        assertFalse(before.isEmpty(), "thread dump shows no fanout-vthreads-* thread while handlers run");
        release.countDown();
        hub.close();
        assertTrue(hub.awaitTermination(Duration.ofSeconds(20)), "push subscriptions did not terminate");
        // a task may still be returning from its last instructions; it must end, not linger
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<String> alive = fanoutThreads("vthreads");
        while (!alive.isEmpty() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(50_000_000);
            alive = fanoutThreads("vthreads");
        }
        assertEquals(Set.of(), alive, "fanout threads alive after close and awaitTermination");
    }

    // ------------------------------------------------------------------ helpers

    /** Runs each task on a new platform thread it keeps track of. */
    static final class CountingExecutor implements Executor {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        private final AtomicInteger names = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            started.incrementAndGet();
            Thread t = Thread.ofPlatform().name("fanout-test-" + names.incrementAndGet()).unstarted(() -> {
                try {
                    task.run();
                } finally {
                    finished.incrementAndGet();
                }
            });
            threads.add(t);
            t.start();
        }
    }

    /** Names of live threads, virtual ones included, that a hub named {@code hub} may have started. */
    private static Set<String> fanoutThreads(String hub) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fanout-dump");
        Path file = dir.resolve("threads.json");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(ProcessHandle.current().pid()), "Thread.dump_to_file", "-format=json",
                    file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jcmd did not finish");
            assertTrue(Files.exists(file), "jcmd wrote no thread dump: " + out);
            Matcher m = Pattern.compile("\"name\": *\"(fanout-[^\"]*)\"").matcher(Files.readString(file));
            Set<String> names = new HashSet<>();
            while (m.find()) {
                String name = m.group(1);
                if (name.startsWith("fanout-" + hub + "-") || name.equals("fanout-push") || name.equals("fanout-elastic")) {
                    names.add(name);
                }
            }
            return names;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("  at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
