package dev.fanout.jmh;

import dev.fanout.CloseReason;
import dev.fanout.DeliveryHandler;
import dev.fanout.Hub;
import dev.fanout.HubStats;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import dev.fanout.StrategyType;
import dev.fanout.SubscriptionStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Fanout: one single-publisher hub, N pull subscriptions with the strategy under test, drained
 * with {@code drain(handler, batch)} by the drain threads. A subscription that
 * {@code disconnect} closed is replaced by a new one on its drain thread, as a reconnecting
 * client would; the stalled subscriber (when there is one) never reconnects.
 */
final class FanoutTarget extends Target {
    private final Hub<Long> hub;
    private final Overflow overflow;
    private final PullSubscription<Long>[] subs;
    private final Handler[] handlers;
    /** Every subscription each subscriber had, for the teardown check; written by its drain thread. */
    private final List<List<PullSubscription<Long>>> history;
    private long reconnects;

    @SuppressWarnings("unchecked")
    FanoutTarget(EngineType engine, StrategyType strategy, Duration maxWait, int subscribers, int workers,
                 boolean stalled, Blackhole hole) {
        super(subscribers, workers, stalled, hole);
        if (strategy.pushOnly()) {
            throw new IllegalArgumentException(strategy + " is push-only: measured by ElasticWorkersBenchmark");
        }
        if (!engine.supports(strategy)) {
            throw new IllegalArgumentException("not applicable: the " + engine + " engine refuses " + strategy);
        }
        this.overflow = strategy.overflow(maxWait);
        this.hub = Hub.<Long>builder()
                .name("jmh")
                .engine(engine.engine())
                .capacity(FanoutScenario.CAPACITY)
                .overflow(overflow)
                .singlePublisher()
                .build();
        this.subs = (PullSubscription<Long>[]) new PullSubscription<?>[subscribers];
        this.handlers = new Handler[subscribers];
        this.history = new ArrayList<>(subscribers);
        for (int i = 0; i < subscribers; i++) {
            subs[i] = hub.subscribe(overflow);
            handlers[i] = new Handler(sinks[i]);
            List<PullSubscription<Long>> h = new ArrayList<>(1);
            h.add(subs[i]);
            history.add(h);
        }
    }

    @Override
    void publish(Long message) {
        if (hub.publish(message) > 0) {
            published++;
        }
    }

    @Override
    int sweep(int worker) {
        int n = 0;
        for (int i = from(worker), to = to(worker); i < to; i++) {
            PullSubscription<Long> s = subs[i];
            // Read the end before the drain: a drain of an ended subscription counts what it still
            // held, while one that saw it open may return before the producer fills and ends it.
            boolean ended = s.isClosed();
            int got = s.drain(handlers[i], FanoutScenario.BATCH);
            if (ended && got == 0 && s.closeReason().orElse(null) == CloseReason.SLOW) {
                reconnect(i);
            }
            n += got;
        }
        return n;
    }

    /** Drain thread: the subscriber comes back after a disconnect, as a client would. */
    private void reconnect(int i) {
        PullSubscription<Long> fresh = hub.subscribe(overflow);
        synchronized (history) {
            history.get(i).add(fresh);
            reconnects++;
        }
        subs[i] = fresh;
    }

    /** The hub's own count of drops; read at the start and end of an iteration, not per publish. */
    @Override
    public long dropped() {
        return hub.stats().dropped();
    }

    long reconnects() {
        synchronized (history) {
            return reconnects;
        }
    }

    @Override
    List<String> check() {
        List<String> problems = new ArrayList<>();
        long sum = 0;
        synchronized (history) {
            for (int i = 0; i < subscribers; i++) {
                long delivered = 0;
                for (PullSubscription<Long> s : history.get(i)) {
                    SubscriptionStats st = s.stats();
                    delivered += st.delivered();
                    if (st.offered() != st.delivered() + st.dropped() + st.depth()) {
                        problems.add("subscriber " + i + ": offered != delivered + dropped + depth: " + st);
                    }
                    if (!isStalled(i) && st.depth() != 0) {
                        problems.add("subscriber " + i + " still holds " + st.depth() + " after the drain: " + st);
                    }
                }
                if (delivered != sinks[i].count) {
                    problems.add("subscriber " + i + ": the hub counts " + delivered + " deliveries, the handler received "
                            + sinks[i].count);
                }
                SubscriptionStats first = history.get(i).get(0).stats();
                if (overflow.lossless() && !isStalled(i)
                        && first.delivered() + first.dropped() != published) {
                    problems.add("lossless subscriber " + i + ": delivered + dropped (timeouts) != published "
                            + published + ": " + first);
                }
                sum += sinks[i].count;
            }
        }
        HubStats hs = hub.stats();
        if (hs.delivered() != sum) {
            problems.add("hub counts " + hs.delivered() + " deliveries, the handlers received " + sum);
        }
        return problems;
    }

    @Override
    public void close() {
        hub.close();
    }

    @Override
    public String toString() {
        return "Fanout[" + overflow.alias() + ", " + super.toString() + "]";
    }

    private record Handler(Sink sink) implements DeliveryHandler<Long> {
        @Override
        public void onDelivery(long sequence, Long message) {
            sink.accept(message);
        }
    }
}
