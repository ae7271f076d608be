package dev.fanout;

import dev.fanout.spi.HubListener;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One stream of messages fanned out to many subscribers, each with its own bounded buffer (or
 * cursor) and {@link Overflow} strategy.
 *
 * {@snippet file="dev/fanout/ReadmeExample.java" region="example"}
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #publish(Object)} may be called from any thread, concurrently: publishers are
 *       serialised by a lock, so every subscriber sees messages in the same sequence order. A hub
 *       built with {@link Builder#singlePublisher()} skips that lock; its publishes must then not
 *       overlap (one thread, or a hand-over with a happens-before edge).</li>
 *   <li>{@link #subscribe(Overflow)} and its variants, {@link #close()}, {@link #stats()} and the
 *       accessors are safe from any thread at any time, concurrently with publishing, and also
 *       from a callback that runs inside a publish (a listener, a push handler on an inline
 *       executor).</li>
 * </ul>
 *
 * <h2>Ordering and visibility</h2>
 * Sequence numbers start at 1 and grow by one per published message. A publish happens-before
 * the delivery of its message to every subscriber that receives it. A subscription attached
 * while publishing goes on receives every message from some sequence number on.
 *
 * <h2>Engines</h2>
 * On the {@linkplain Engine#queues() queue engine} (the default) each subscriber has its own
 * bounded queue and a publish offers to each, so its cost grows with the subscribers. On the
 * {@linkplain Engine#ring(int) ring engine} a publish writes one slot of one ring, whatever the
 * number of subscribers. {@link Engine} lists what each supports.
 *
 * <h2>Wake-ups</h2>
 * A consumer that waits (a push subscription between messages, a pull one in {@code await})
 * parks, and the publish that gives it work unparks it. That costs each publish one full fence
 * while the hub has any subscription that may park; a hub whose consumers only
 * {@code poll} and {@code drain} pays nothing for wake-ups.
 *
 * <h2>Closing</h2>
 * {@link #close()} refuses further publishes ({@link PublishResult.Status#HUB_CLOSED}),
 * releases publishers parked for room (the waiting message counts as {@link DropCause#CLOSED}),
 * and ends every subscription after it has delivered what it holds. On a hub with a publish
 * lock it first waits for the publish in flight. A single-publisher hub does not wait for its
 * publisher (it cannot see it without a fence on every publish): the message of a publish that
 * races the close reaches each subscription that is still draining, and counts as
 * {@link DropCause#CLOSED} in one that has already ended. Push workers end once their
 * subscriptions are drained; {@link #awaitTermination(Duration)} waits for that. The hub keeps
 * no background thread: push handlers run on the {@linkplain Builder#executor executor}, by
 * default a virtual thread per drain task that ends when its subscription has nothing left to
 * deliver.
 *
 * @param <T> the message type
 */
public final class Hub<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final VarHandle SEQUENCE;
    private static final VarHandle LATEST_STAMP;
    private static final VarHandle WAKE_SEEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SEQUENCE = l.findVarHandle(Hub.class, "sequence", long.class);
            LATEST_STAMP = l.findVarHandle(Hub.class, "latestStamp", long.class);
            WAKE_SEEN = l.findVarHandle(Hub.class, "wakeSeen", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Engine engine;
    private final int capacity;
    private final Overflow defaultOverflow;
    private final Executor executor;
    private final HubListener listener;
    private final boolean listening;
    private final int batchSize;
    private final Pacer pacer;
    private final Function<? super T, ?> dedupKey;
    private final History historySpec;
    private final Dispatcher<T> dispatcher;
    private final Ledgers ledgers = new Ledgers();

    /**
     * Guards the history and makes the seam exact: a publish appends to the history and reads
     * the subscriber list under it, and a resuming subscriber reads the history and attaches
     * under it, so every message is either replayed or offered live, never both or neither.
     * Null without history.
     */
    private final ReentrantLock seam;
    private final HistoryLog<T> history;

    /** Serialises publishers; null for a single-publisher hub. */
    private final ReentrantLock publishLock;
    private volatile boolean closed;

    private final String epoch;
    private final boolean externalSequence;
    /** Fills in what the history lacks for a resume; null for none. */
    private final Backfill<T> backfill;

    // ------------------------------------------------------------------ publisher-owned (publishers are serialised)
    private long sequence;
    /** Messages published so far: the ring's slot of the next one. */
    private long count;
    private Object lastKey; // dedup: the key of the last published message
    private final Tally tally = new Tally();
    private long wakeSeenByPublisher;
    private long nextPacerSample;
    /** The last message, written as a sequence lock with {@link #latestStamp} (0 while it is written). */
    private T latestMessage;
    private long latestStamp;

    // ------------------------------------------------------------------ subscribers
    private final ReentrantLock subscribersLock = new ReentrantLock();
    private final Condition terminated = subscribersLock.newCondition();
    private volatile AbstractSubscription<T>[] subscribers = AbstractSubscription.none();
    /**
     * The subscriptions the close found, set before it empties {@link #subscribers}: a
     * single-publisher hub's publish that read the hub open and then the emptied array still
     * reaches them, as the class Javadoc promises (null while open).
     */
    private volatile AbstractSubscription<T>[] atClose;
    /**
     * Bumped after every change of {@link #subscribers}, under subscribersLock. A publish reads
     * it before the list: a version it has seen means a list at least as new.
     */
    private volatile int version;
    private int pushLive; // guarded by subscribersLock
    /** Attached subscriptions that may park; while there is one, a publish fences and signals. */
    private volatile int wakeable;
    /** Bumped when a pull subscription first waits; guarded by subscribersLock for writes. */
    private volatile long wakeEpoch;
    /** The last {@link #wakeEpoch} a publish has seen (written by publishers only). */
    private volatile long wakeSeen;

    private final AtomicLong subscribed = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong handlerErrors = new AtomicLong();

    private Hub(Builder<T> b) {
        this.name = b.name;
        this.engine = b.engine;
        this.capacity = b.capacity;
        this.defaultOverflow = b.overflow;
        this.executor = b.executor != null ? b.executor : new VirtualThreads(b.name);
        this.listener = b.listener;
        this.listening = b.listener != HubListener.NOOP;
        this.batchSize = b.batchSize;
        this.pacer = b.pacer;
        this.publishLock = b.singlePublisher ? null : new ReentrantLock();
        this.dispatcher = b.engine instanceof Engine.Ring r ? new RingDispatcher<>(this, r.size()) : new QueueDispatcher<>(this);
        this.dedupKey = b.dedupKey;
        this.epoch = b.epoch;
        this.externalSequence = b.externalSequence;
        this.backfill = b.backfill;
        this.historySpec = b.history;
        boolean keep = !b.history.isNone();
        this.history = keep ? new HistoryLog<>(b.history, b.clock) : null;
        this.seam = keep ? new ReentrantLock() : null;
    }

    /**
     * A builder for a hub. Each option may be set once.
     *
     * @param <T> the message type
     * @return a builder with the defaults listed on its methods
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    // ------------------------------------------------------------------ publish

    /** What {@link #publish(Object)} returns when the hub is closed: nothing was published. */
    public static final long CLOSED = -1;
    /** What {@link #publish(Object)} returns when the hub dedups and the message equals the previous one. */
    public static final long DUPLICATE = -2;

    /**
     * Gives {@code message} the next sequence number and offers it to every subscriber, each
     * according to its strategy. Returns without waiting unless a lossless subscriber is full:
     * then it parks until that subscriber has room, at most its wait limit. It never throws for
     * a full or closed subscriber or a closed hub.
     *
     * <p>It allocates nothing on the ring engine, and on the queue engine only the
     * {@link Delivery} its subscribers share: what happened subscriber by subscriber is counted
     * in the statistics, and {@link #publishAndReport(Object)} returns it for one publish.
     *
     * @param message the message, not null
     * @return the sequence number given to the message, at least 1; or {@link #CLOSED} or
     *         {@link #DUPLICATE}, both negative, when it was not published
     */
    public long publish(T message) {
        Objects.requireNonNull(message, "message");
        refuseExternal();
        if (publishLock == null) {
            return closed ? CLOSED : fanOut(sequence + 1, message);
        }
        publishLock.lock();
        try {
            return closed ? CLOSED : fanOut(sequence + 1, message);
        } finally {
            publishLock.unlock();
        }
    }

    /**
     * Publishes under a sequence number assigned elsewhere: for a hub built with
     * {@link Builder#externalSequence()}, that follows a stream numbered by someone else (a
     * cluster stream, a log). Each sequence must be above the last one; a jump is a gap that
     * subscribers see (their sequence numbers jump) and that a resume from before it reports
     * as {@link Subscription#startGap()}. Otherwise as {@link #publish(Object)}.
     *
     * @param sequence the message's sequence number, above {@link #sequence()}
     * @param message  the message, not null
     * @return {@code sequence}, or {@link #CLOSED} or {@link #DUPLICATE}
     * @throws IllegalStateException    on a hub that numbers its own messages
     * @throws IllegalArgumentException when {@code sequence} is not above the last one
     */
    public long publish(long sequence, T message) {
        Objects.requireNonNull(message, "message");
        if (!externalSequence) {
            throw new IllegalStateException("sequence: given, but this hub numbers its own messages"
                    + " (expected: Hub.builder().externalSequence() for a hub that follows another's numbers)");
        }
        if (publishLock == null) {
            return closed ? CLOSED : fanOut(checkNext(sequence), message);
        }
        publishLock.lock();
        try {
            return closed ? CLOSED : fanOut(checkNext(sequence), message);
        } finally {
            publishLock.unlock();
        }
    }

    /** Publisher: a sequence from outside must be above the last one. */
    private long checkNext(long next) {
        if (next <= sequence) {
            throw new IllegalArgumentException("sequence: " + next + " (expected: > " + sequence + ", the last published)");
        }
        return next;
    }

    private void refuseExternal() {
        if (externalSequence) {
            throw new IllegalStateException("sequence: missing, but this hub follows another's numbers"
                    + " (expected: publish(sequence, message))");
        }
    }

    /**
     * Publishes as {@link #publish(Object)} does, and reports what the publish did, subscriber by
     * subscriber: who took the message, who dropped it and why, who timed out. It allocates the
     * report.
     *
     * @param message the message, not null
     * @return what happened
     */
    public PublishResult publishAndReport(T message) {
        Objects.requireNonNull(message, "message");
        refuseExternal();
        if (publishLock == null) {
            return report(closed ? CLOSED : fanOut(sequence + 1, message));
        }
        publishLock.lock();
        try {
            return report(closed ? CLOSED : fanOut(sequence + 1, message));
        } finally {
            publishLock.unlock();
        }
    }

    /**
     * {@link #publish(long, Object)}, reporting what happened as {@link #publishAndReport(Object)} does.
     *
     * @param sequence the message's sequence number, above {@link #sequence()}
     * @param message  the message, not null
     * @return what happened
     * @throws IllegalStateException    on a hub that numbers its own messages
     * @throws IllegalArgumentException when {@code sequence} is not above the last one
     */
    public PublishResult publishAndReport(long sequence, T message) {
        return report(publish(sequence, message));
    }

    /** Publisher, right after its publish: the tally of a published message, or the status. */
    private PublishResult report(long sequence) {
        return sequence == CLOSED ? PublishResult.hubClosed()
                : sequence == DUPLICATE ? PublishResult.duplicate() : tally.result(sequence);
    }

    /**
     * Publisher: numbers, records and offers one message. Kept small, with the rare steps
     * (dedup, the history's seam, a hub closing, a new wake-up request, the pacer) in methods
     * of their own, so that the JIT inlines it into {@link #publish(Object)}: at its former 355
     * bytes of bytecode it was a call on every publish.
     */
    private long fanOut(long seq, T message) {
        if (dedupKey != null && duplicate(message)) {
            return DUPLICATE;
        }
        SEQUENCE.setRelease(this, seq);
        LATEST_STAMP.setRelease(this, 0L);
        VarHandle.storeStoreFence();
        latestMessage = message;
        LATEST_STAMP.setRelease(this, seq);
        if (seam != null) {
            return appendAndOffer(seq, message);
        }
        count++;
        int v = version;
        return offer(seq, message, null, subscribers, v);
    }

    /** Publisher, dedup: true when {@code message}'s key equals the last published one's. */
    private boolean duplicate(T message) {
        Object key = dedupKey.apply(message);
        if (key != null && key.equals(lastKey)) {
            return true;
        }
        lastKey = key;
        return false;
    }

    /** Publisher, on a hub with a history: appends under the seam, then offers. */
    private long appendAndOffer(long seq, T message) {
        Delivery<T> d = new Delivery<>(seq, message); // the history's; the queue engine's buffers share it
        AbstractSubscription<T>[] subs;
        int v;
        seam.lock();
        try {
            count++;
            history.append(d);
            v = version;
            subs = subscribers;
        } finally {
            seam.unlock();
        }
        return offer(seq, message, d, subs, v);
    }

    private long offer(long seq, T message, Delivery<T> d, AbstractSubscription<T>[] subs, int v) {
        if (subs.length == 0) {
            subs = closing(subs);
        }
        long epoch = wakeEpoch;
        if (epoch != wakeSeenByPublisher) {
            seeWakeRequest(epoch);
        }
        Tally t = tally;
        t.reset();
        dispatcher.fanOut(seq, message, d, subs, v, t);
        if (wakeable != 0) {
            wake(subs);
        }
        if (pacer != null) {
            pace(subs);
        }
        return seq;
    }

    /** An empty array: the subscribers of a closing hub, when it has emptied the array since this publish began. */
    private AbstractSubscription<T>[] closing(AbstractSubscription<T>[] subs) {
        AbstractSubscription<T>[] closing = atClose; // written before the array was emptied
        return closing != null ? closing : subs;
    }

    /**
     * Before the offers: a consumer that reads this sees every earlier message, and every later
     * publish sees its request and signals it.
     */
    private void seeWakeRequest(long epoch) {
        wakeSeenByPublisher = epoch;
        WAKE_SEEN.setVolatile(this, epoch);
    }

    private void wake(AbstractSubscription<T>[] subs) {
        VarHandle.fullFence(); // the offers are visible before any consumer's announcement is read
        dispatcher.wake(subs);
    }

    private void pace(AbstractSubscription<T>[] subs) {
        long now = System.nanoTime();
        if (now - nextPacerSample >= 0) {
            pacer.observe(dispatcher.fullestLossless(subs), now);
            nextPacerSample = now + pacer.samplePeriodNanos();
        }
    }

    // ------------------------------------------------------------------ wake-up registration

    /**
     * A pull subscription's consumer is about to wait for the first time: from now on publishes
     * fence and signal. Until a publish has acknowledged the returned epoch
     * ({@link #acknowledged}), the consumer may not rely on being woken.
     *
     * @return the epoch to wait for
     */
    long parksFrom(AbstractSubscription<T> s) {
        subscribersLock.lock();
        try {
            if (!s.wakeable && s.ledger.isOpen()) {
                s.wakeable = true;
                wakeable++;
            }
            long e = wakeEpoch + 1;
            wakeEpoch = e;
            acknowledge(e);
            return e;
        } finally {
            subscribersLock.unlock();
        }
    }

    /**
     * With a publish lock, no publish needs to acknowledge the request: holding the lock, no
     * publish is in flight, every earlier one happened-before and every later one will see the
     * request. Without the lock (a single publisher, or a publish under way) the next publish
     * acknowledges it.
     */
    private void acknowledge(long epoch) {
        if (publishLock != null && publishLock.tryLock()) {
            try {
                if ((long) WAKE_SEEN.getVolatile(this) < epoch) {
                    WAKE_SEEN.setVolatile(this, epoch);
                }
            } finally {
                publishLock.unlock();
            }
        }
    }

    /** {@return true once a publish has seen wake epoch {@code epoch}, or the hub is closed} */
    boolean acknowledged(long epoch) {
        return (long) WAKE_SEEN.getVolatile(this) >= epoch || closed;
    }

    // ------------------------------------------------------------------ subscribe

    /**
     * Attaches a pull subscription with the hub's default strategy and capacity.
     *
     * @return the subscription
     * @throws IllegalStateException when the hub is closed
     */
    public PullSubscription<T> subscribe() {
        return subscriber().subscribe();
    }

    /**
     * Attaches a pull subscription: its consumer calls {@code poll}, {@code drain},
     * {@code await} or {@code forEach}.
     *
     * @param overflow what to do when it falls behind
     * @return the subscription
     * @throws IllegalStateException    when the hub is closed
     * @throws IllegalArgumentException for {@code elasticWorkers}, which needs a handler, or a
     *                                  strategy the engine refuses
     */
    public PullSubscription<T> subscribe(Overflow overflow) {
        return subscriber().overflow(overflow).subscribe();
    }

    /**
     * Attaches a push subscription: {@code handler} runs on the hub's executor.
     *
     * @param overflow what to do when it falls behind
     * @param handler  receives the messages
     * @return the subscription, for its counters and to close it
     * @throws IllegalStateException    when the hub is closed
     * @throws IllegalArgumentException for a strategy the engine refuses
     */
    public PushSubscription<T> subscribe(Overflow overflow, DeliveryHandler<? super T> handler) {
        return subscriber().overflow(overflow).subscribe(handler);
    }

    /** {@return a builder for a subscription with its own strategy, capacity, start or executor} */
    public SubscriptionBuilder<T> subscriber() {
        return new SubscriptionBuilder<>(this);
    }

    /**
     * @param handler a push subscription's handler, or null for a pull subscription
     * @return the attached subscription
     */
    AbstractSubscription<T> attach(SubscriptionBuilder<T> b, DeliveryHandler<? super T> handler) {
        Overflow overflow = b.overflow != null ? b.overflow : defaultOverflow;
        Strategy strategy = Strategy.of(overflow);
        if (strategy.pushOnly() && handler == null) {
            throw new IllegalArgumentException("overflow: " + overflow.name() + " (expected: a handler; workers run it,"
                    + " so use subscribe(overflow, handler))");
        }
        if (handler == null && b.executor != null) {
            throw new IllegalStateException("executor: set, but a pull subscription runs no handler"
                    + " (expected: subscribe(handler) for a push subscription)");
        }
        if (engine instanceof Engine.Ring r && !r.supports(overflow)) {
            throw r.refusal(overflow);
        }
        boolean replay = b.resumeAfter >= 0 || b.startWithLatest;
        if (replay && seam == null) {
            throw new IllegalStateException("history: none (expected: Hub.builder().history(History.last(n))"
                    + " to resume or to start with the latest message)");
        }
        int cap = strategy.capacity(dispatcher.capacity(ceilPowerOfTwo(b.capacity > 0 ? b.capacity : capacity)));
        List<KeyError<T>> keyErrors = new ArrayList<>(0);
        AbstractSubscription<T> s;
        if (!replay) {
            s = newSubscription(b, handler, overflow, strategy, cap, Preface.none(), false, -1);
            add(s);
        } else {
            s = null;
            List<Delivery<T>> fill = List.of();
            boolean inFlight = false;
            for (int attempt = 1; s == null; attempt++) {
                if (inFlight) {
                    Thread.yield(); // the seam is free: the publish in flight takes it
                    inFlight = false;
                }
                // fetched before the seam is taken: a backfill does I/O, and publishes go on meanwhile
                fill = backfillFor(b, fill);
                seam.lock();
                try {
                    Delivery<T> last = history.last();
                    List<Delivery<T>> kept;
                    if (b.resumeAfter < 0) {
                        kept = last == null ? List.of() : List.of(last);
                    } else if (b.resumeEpoch != null && !b.resumeEpoch.equals(epoch)) {
                        kept = null; // another epoch's sequence numbers mean nothing here: a gap, never a replay
                    } else if (fill.isEmpty()) {
                        kept = history.after(b.resumeAfter);
                        if (kept == null && b.resumeAfter <= sequence()
                                && (last == null || b.resumeAfter > last.sequence())) {
                            // a publish has numbered the message (sequence() says so) and not yet
                            // put it in the history: it is waiting for this seam. Let it in and look
                            // again, or a resume from a message that exists would start with a gap
                            inFlight = true;
                            continue;
                        }
                    } else {
                        List<Delivery<T>> rest = history.after(fill.getLast().sequence());
                        if (rest == null && attempt < BACKFILL_ATTEMPTS) {
                            continue; // the history moved past the backfill's end meanwhile: fetch on
                        }
                        kept = rest == null ? null : join(fill, rest);
                    }
                    boolean gap = kept == null;
                    if (gap) { // too old, never published, or another epoch: start from the latest instead
                        kept = last == null ? List.of() : List.of(last);
                    }
                    kept = strategy.conflate(kept, overflow, (d, e) -> keyErrors.add(new KeyError<>(d, e)));
                    @SuppressWarnings("unchecked")
                    Delivery<T>[] preface = kept.toArray((Delivery<T>[]) new Delivery<?>[0]);
                    // live reading starts right after the last message the history took: the ring's
                    // slot of the next publish (publishes and slots are counted alike under the seam)
                    s = newSubscription(b, handler, overflow, strategy, cap, new Preface<>(preface), gap, count);
                    add(s);
                } finally {
                    seam.unlock();
                }
            }
        }
        ledgers.register(s, s.ledger);
        subscribed.incrementAndGet();
        if (listening) {
            try {
                listener.onSubscribe(s.view());
            } catch (Throwable e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
        for (KeyError<T> k : keyErrors) {
            handlerError(s, k.delivery().sequence(), k.error());
        }
        s.start();
        return s;
    }

    private record KeyError<T>(Delivery<T> delivery, Throwable error) {
    }

    /**
     * How many times a resume fetches from the backfill: again (only what follows) when the
     * history moved past the end of what it got while it fetched.
     */
    private static final int BACKFILL_ATTEMPTS = 4;

    /**
     * Subscribing thread, outside the seam: {@code have} (what earlier attempts fetched) and
     * what the backfill gives after it, for a resume of this hub's epoch that the history cannot
     * serve, checked to start right after the subscriber's last message and to have no gap;
     * {@code have} alone when nothing more is needed or nothing usable came.
     */
    private List<Delivery<T>> backfillFor(SubscriptionBuilder<T> b, List<Delivery<T>> have) {
        if (backfill == null || b.resumeAfter < 0 || (b.resumeEpoch != null && !b.resumeEpoch.equals(epoch))) {
            return have;
        }
        long after = have.isEmpty() ? b.resumeAfter : have.getLast().sequence();
        long upTo;
        seam.lock();
        try {
            upTo = history.missingUpTo(after);
        } finally {
            seam.unlock();
        }
        if (upTo == 0) {
            return have;
        }
        List<Delivery<T>> more;
        try {
            more = backfill.fetch(epoch, after, upTo);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "hub " + name + ": the backfill failed for a resume after " + after, e);
            return have;
        }
        if (more == null || more.isEmpty()) {
            return have;
        }
        long next = after + 1;
        for (Delivery<T> d : more) {
            if (d == null || d.sequence() != next || next > upTo) {
                LOG.log(Level.DEBUG, "hub {0}: the backfill for a resume after {1} gave {2} where {3} was due; ignored",
                        name, after, d, next);
                return have;
            }
            next++;
        }
        return have.isEmpty() ? more : join(have, more);
    }

    private static <T> List<Delivery<T>> join(List<Delivery<T>> first, List<Delivery<T>> then) {
        List<Delivery<T>> all = new ArrayList<>(first.size() + then.size());
        all.addAll(first);
        all.addAll(then);
        return all;
    }

    /**
     * @param from the sequence of the last message before the live ones (the history's last), or
     *             -1 for "whatever is published next"
     */
    private AbstractSubscription<T> newSubscription(SubscriptionBuilder<T> b, DeliveryHandler<? super T> handler,
                                                    Overflow overflow, Strategy strategy, int cap, Preface<T> preface,
                                                    boolean gap, long from) {
        boolean elastic = strategy.pushOnly();
        // the ring holds hub sequence s in ring sequence s - 1: live reading starts at ring sequence `from`
        Lane<T> lane = dispatcher.newLane(strategy, overflow, cap, elastic, from);
        Ledger<T> ledger = new Ledger<>(strategy, preface, lane, new Counts(false), elastic, sequence(), gap);
        Executor exec = b.executor != null ? b.executor : executor;
        if (elastic) {
            return new ElasticSubscription<>(this, (Overflow.ElasticWorkers) overflow, ledger, handler, exec);
        } else if (handler != null) {
            return new HandlerSubscription<>(this, overflow, ledger, handler, exec, batchSize);
        }
        return new PollingSubscription<>(this, overflow, ledger);
    }

    private void add(AbstractSubscription<T> s) {
        subscribersLock.lock();
        try {
            if (closed) {
                s.lane.ended(s, false); // a ring cursor's gate must not stay behind
                throw new IllegalStateException("hub " + name + " is closed");
            }
            if (s.parksFromStart()) {
                s.wakeable = true;
                wakeable++; // before the array that holds it: a publish that sees it fences for it
            }
            AbstractSubscription<T>[] current = subscribers;
            AbstractSubscription<T>[] next = AbstractSubscription.array(current.length + 1);
            System.arraycopy(current, 0, next, 0, current.length);
            next[current.length] = s;
            subscribers = next;
            version++;
            // a live ring cursor starts only now that publishers can see it, and the second
            // version tells them it now gates: a publisher that runs on meanwhile (a single
            // publisher takes no lock) only moves where it starts, never past its capacity
            s.lane.attached();
            version++;
            if (s.parksFromStart()) { // the push subscriptions: they run handlers until they terminate
                pushLive++;
            }
        } finally {
            subscribersLock.unlock();
        }
    }

    /**
     * A subscription ended: it leaves the list (the hub keeps no reference to it), and, when
     * {@code reason} is not null (this end was its first), the listener hears of it.
     */
    void ended(AbstractSubscription<T> s, CloseReason reason) {
        subscribersLock.lock();
        try {
            AbstractSubscription<T>[] current = subscribers;
            int i = indexOf(current, s);
            if (i >= 0) {
                AbstractSubscription<T>[] next = AbstractSubscription.array(current.length - 1);
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                subscribers = next;
                version++;
            }
            if (s.wakeable) {
                s.wakeable = false;
                wakeable--;
            }
        } finally {
            subscribersLock.unlock();
        }
        if (reason == CloseReason.SLOW) {
            disconnects.incrementAndGet();
        }
        if (reason != null) {
            listenerOnClose(s, reason);
        }
    }

    private static int indexOf(Object[] a, Object o) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == o) {
                return i;
            }
        }
        return -1;
    }

    void pushTerminated() {
        subscribersLock.lock();
        try {
            pushLive--;
            terminated.signalAll();
        } finally {
            subscribersLock.unlock();
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the hub: no more publishes, parked publishers released, every subscription ends
     * after delivering what it holds. Idempotent; safe from any thread, also from a callback
     * inside a publish. Returns without waiting for push handlers: see
     * {@link #awaitTermination(Duration)}.
     */
    @Override
    public void close() {
        subscribersLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true; // from here on subscribe fails and publish returns HUB_CLOSED
        } finally {
            subscribersLock.unlock();
        }
        finishClose();
    }

    private void finishClose() {
        dispatcher.releasePublisher(subscribers);
        if (publishLock != null) {
            // the publish in flight ends first, so no offer lands after the subscriptions drain
            // (the lock is reentrant: a close from inside a publish goes on at once)
            publishLock.lock();
            publishLock.unlock();
        }
        AbstractSubscription<T>[] all;
        subscribersLock.lock();
        try {
            all = subscribers;
            atClose = all;
            subscribers = AbstractSubscription.none();
            version++;
        } finally {
            subscribersLock.unlock();
        }
        dispatcher.hubClosing(all);
        for (AbstractSubscription<T> s : all) {
            s.hubClosed();
        }
    }

    /**
     * Closes the hub only if no subscription is attached, atomically with respect to
     * {@code subscribe}: a racing subscribe either attaches first (and the hub stays open) or
     * fails with {@link IllegalStateException}. Used by {@link Topics} to reclaim idle hubs.
     *
     * @return true when this call closed the hub
     */
    boolean closeIfUnused() {
        subscribersLock.lock();
        try {
            if (closed || subscribers.length > 0) {
                return false;
            }
            closed = true;
        } finally {
            subscribersLock.unlock();
        }
        finishClose();
        return true;
    }

    /**
     * Waits until the hub is closed and every push subscription has delivered what it held and
     * stopped running its handler.
     *
     * @param timeout how long to wait at most
     * @return true when terminated, false on timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long nanos = Checks.nanos(Checks.nonNegative("timeout", timeout));
        subscribersLock.lock();
        try {
            while (!closed || pushLive > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            subscribersLock.unlock();
        }
    }

    /** {@return true for a hub built with {@link Builder#externalSequence()}} */
    boolean followsExternalSequence() {
        return externalSequence;
    }

    /** {@return true once {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ accessors

    /** {@return the sequence number of the last published message, 0 before the first; any thread} */
    public long sequence() {
        return (long) SEQUENCE.getAcquire(this);
    }

    /** {@return the number of attached subscriptions; any thread} */
    public int subscriberCount() {
        return subscribers.length;
    }

    /**
     * {@return the last published message, whatever the history keeps; any thread. Replaces the
     * need to cache the current state beside the hub.}
     */
    public Optional<Delivery<T>> latest() {
        while (true) {
            long stamp = (long) LATEST_STAMP.getAcquire(this);
            if (stamp == 0) {
                if (sequence() == 0) {
                    return Optional.empty();
                }
                Thread.onSpinWait(); // a publish is writing it
                continue;
            }
            T m = latestMessage;
            VarHandle.loadLoadFence();
            if ((long) LATEST_STAMP.getOpaque(this) == stamp) {
                return Optional.of(new Delivery<>(stamp, m));
            }
        }
    }

    /**
     * {@return the epoch this hub's sequence numbers belong to: given to the builder, or drawn
     * at random when the hub was built, so a new hub (a restarted process, a reclaimed
     * topic) has a new one}
     */
    public String epoch() {
        return epoch;
    }

    /** {@return the position of the last published message: this hub's epoch and {@link #sequence()}} */
    public Position position() {
        return Position.of(epoch, sequence());
    }

    /** {@return the history this hub keeps} */
    public History history() {
        return historySpec;
    }

    /** {@return the engine this hub was built with} */
    public Engine engine() {
        return engine;
    }

    /** {@return the pacer given to the builder, if any} */
    public Optional<Pacer> pacer() {
        return Optional.ofNullable(pacer);
    }

    /** {@return the hub's name, used in thread names and messages} */
    public String name() {
        return name;
    }

    /** {@return the real capacity of a subscription that does not choose its own} */
    public int capacity() {
        return dispatcher.capacity(ceilPowerOfTwo(capacity));
    }

    /** {@return the strategy of a subscription that does not choose its own} */
    public Overflow defaultOverflow() {
        return defaultOverflow;
    }

    /**
     * {@return a snapshot of the hub's counters, the sums over every subscription it has had, and
     * the depth and lag of the attached ones; any thread} It walks the subscriptions: a
     * monitoring thread should take one per scrape, not one per value it exports.
     */
    public HubStats stats() {
        long seq = sequence();
        AbstractSubscription<T>[] attached = subscribers;
        long depth = 0;
        long maxDepth = 0;
        long lag = 0;
        long maxLag = 0;
        for (AbstractSubscription<T> s : attached) {
            long d = s.ledger.depth();
            long l = Math.max(0, seq - s.ledger.lastSequence());
            depth += d;
            maxDepth = Math.max(maxDepth, d);
            lag += l;
            maxLag = Math.max(maxLag, l);
        }
        return new HubStats(seq, attached.length, subscribed.get(), disconnects.get(), handlerErrors.get(),
                ledgers.totals(), new long[] {depth, maxDepth, lag, maxLag});
    }

    @Override
    public String toString() {
        return "Hub[" + name + ", seq=" + sequence() + ", subscribers=" + subscribers.length
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ called by subscriptions and engines

    /**
     * The library's own tests set this to see every hub they build, and check each one's books
     * when the test ends; null otherwise.
     */
    static volatile Consumer<Hub<?>> built;

    /** For tests and diagnostics: the ledgers of every subscription still reachable, ended ones included. */
    List<Ledger<?>> liveLedgers() {
        return ledgers.live();
    }

    /** For tests and diagnostics: the publisher parked for a subscriber's room now, or null. */
    Thread waitingPublisher() {
        return dispatcher.waitingPublisher(subscribers);
    }

    void listenerOnDrop(AbstractSubscription<?> s, DropCause cause, long n) {
        if (listening) {
            try {
                listener.onDrop(s.view(), cause, n);
            } catch (Throwable e) { // a listener never breaks a publish or a read, whatever it throws
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
    }

    void listenerOnClose(AbstractSubscription<?> s, CloseReason reason) {
        if (listening) {
            try {
                listener.onClose(s.view(), reason);
            } catch (Throwable e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        }
    }

    void handlerError(AbstractSubscription<?> s, long seq, Throwable error) {
        long errors = handlerErrors.incrementAndGet();
        if (listening) {
            try {
                listener.onHandlerError(s.view(), seq, error);
            } catch (Throwable e) {
                LOG.log(Level.DEBUG, "listener failed", e);
            }
        } else if (errors == 1) {
            LOG.log(Level.WARNING, "hub " + name + ": a handler failed on message " + seq
                    + "; further handler failures are logged at DEBUG (give the hub a HubListener to handle them)", error);
        } else {
            LOG.log(Level.DEBUG, "hub " + name + ": a handler failed on message " + seq, error);
        }
    }

    /** Twelve characters of [0-9a-z] from a strong random source: 62 bits, never reused in practice. */
    static String randomEpoch() {
        long bits = new java.security.SecureRandom().nextLong() >>> 2;
        StringBuilder b = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            b.append(Character.forDigit((int) (bits % 36), 36));
            bits /= 36;
        }
        return b.toString();
    }

    static int ceilPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    // ------------------------------------------------------------------ builders

    /** Starts a virtual thread per task; holds no threads of its own, so it needs no shutdown. */
    private static final class VirtualThreads implements Executor {
        private final ThreadFactory factory;

        VirtualThreads(String name) {
            this.factory = Thread.ofVirtual().name("fanout-" + name + "-", 0).factory();
        }

        @Override
        public void execute(Runnable task) {
            factory.newThread(task).start();
        }
    }

    /**
     * Builds a {@link Hub}: each option may be set once (a second call throws
     * {@link IllegalStateException}), and {@link #build()} checks them together. Not thread-safe:
     * configure and build on one thread.
     *
     * @param <T> the message type
     */
    public static final class Builder<T> {
        /**
         * Capacities above this are refused: 2^20 (1,048,576). Buffers and rings are allocated
         * whole when a subscription or hub is made, so the limit is what a hub can hold in a
         * heap of a few hundred megabytes, not what an array could index.
         */
        public static final int MAX_CAPACITY = 1 << 20;

        private static final AtomicInteger NAMES = new AtomicInteger();

        private String name;
        private Engine engine;
        private int capacity;
        private Overflow overflow;
        private boolean singlePublisher;
        private Executor executor;
        private HubListener listener;
        private int batchSize;
        private Pacer pacer;
        private History history;
        private InstantSource clock;
        private Function<? super T, ?> dedupKey;
        private String epoch;
        private boolean externalSequence;
        private Backfill<T> backfill;

        private Builder() {
        }

        private static void once(Object current, String option) {
            once(current != null, option);
        }

        private static void once(boolean set, String option) {
            if (set) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        static int checkCapacity(int capacity) {
            Checks.positive("capacity", capacity);
            if (capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity: " + capacity + " (expected: <= " + MAX_CAPACITY + ")");
            }
            return capacity;
        }

        /**
         * Names the hub.
         *
         * @param name names the hub in thread names and messages (default {@code hub-N})
         * @return this
         */
        public Builder<T> name(String name) {
            once(this.name, "name");
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: not blank)");
            }
            this.name = name;
            return this;
        }

        /**
         * Chooses the engine.
         *
         * @param engine how messages move (default {@link Engine#queues()})
         * @return this
         */
        public Builder<T> engine(Engine engine) {
            once(this.engine, "engine");
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Sets the default buffer size of subscriptions.
         *
         * @param capacity the buffer size of each subscription that does not choose its own,
         *                 rounded up to a power of two, at most {@link #MAX_CAPACITY} (default 1024)
         * @return this
         */
        public Builder<T> capacity(int capacity) {
            once(this.capacity != 0, "capacity");
            this.capacity = checkCapacity(capacity);
            return this;
        }

        /**
         * Sets the default strategy of subscriptions.
         *
         * @param overflow the strategy of subscriptions that do not choose their own
         *                 (default {@code slowProducer(Overflow.DEFAULT_MAX_WAIT)}: lossless)
         * @return this
         */
        public Builder<T> overflow(Overflow overflow) {
            once(this.overflow, "overflow");
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Declares that publishes never overlap (one publishing thread), so the publish lock is
         * skipped.
         *
         * @return this
         */
        public Builder<T> singlePublisher() {
            once(singlePublisher, "singlePublisher");
            this.singlePublisher = true;
            return this;
        }

        /**
         * Sets the executor of push subscriptions.
         *
         * @param executor runs push handlers (default: a new virtual thread per drain task, so
         *                 nothing to shut down)
         * @return this
         */
        public Builder<T> executor(Executor executor) {
            once(this.executor, "executor");
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets the listener.
         *
         * @param listener observes subscriptions, drops and handler errors (default
         *                 {@link HubListener#NOOP}; without one, the first handler error is
         *                 logged as a warning and the others at debug level)
         * @return this
         */
        public Builder<T> listener(HubListener listener) {
            once(this.listener, "listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the push batch size.
         *
         * @param batchSize the most messages a push drain task hands to its handler per batch (default 256)
         * @return this
         */
        public Builder<T> batchSize(int batchSize) {
            once(this.batchSize != 0, "batchSize");
            this.batchSize = Checks.positive("batchSize", batchSize);
            return this;
        }

        /**
         * Attaches a pacer.
         *
         * @param pacer receives the fill of the fullest lossless subscriber from the publishing
         *              thread, on either engine (sampled at most eight times per pacer interval)
         * @return this
         */
        public Builder<T> pacer(Pacer pacer) {
            once(this.pacer, "pacer");
            this.pacer = Objects.requireNonNull(pacer, "pacer");
            return this;
        }

        /**
         * Sets what the hub keeps for subscribers that resume.
         *
         * @param history what the hub keeps for resuming subscribers (default {@link History#none()})
         * @return this
         */
        public Builder<T> history(History history) {
            once(this.history, "history");
            this.history = Objects.requireNonNull(history, "history");
            return this;
        }

        /**
         * Sets the time source of the history.
         *
         * @param clock the time source of a time-bounded history (default the system clock)
         * @return this
         */
        public Builder<T> clock(InstantSource clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Makes a publish of a message equal to the previous one a no-op: it gets no sequence
         * number and returns {@link PublishResult.Status#DUPLICATE}.
         *
         * @return this
         */
        public Builder<T> dedup() {
            return dedup(Function.identity());
        }

        /**
         * Like {@link #dedup()}, comparing keys (or hashes) instead of whole messages. The
         * function runs on the publishing thread; what it throws reaches the publisher, and the
         * message is then not published.
         *
         * @param key gives the value to compare with {@code equals}
         * @return this
         */
        public Builder<T> dedup(Function<? super T, ?> key) {
            once(this.dedupKey, "dedup");
            this.dedupKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Sets the epoch.
         *
         * @param epoch the epoch of this hub's sequence numbers, 1 to 32 of {@code [0-9A-Za-z_]}
         *              (default: 12 random characters): give the same epoch to a hub that
         *              continues a stream whose history survived (a journal, a cluster
         *              stream), a new one whenever that history is lost
         * @return this
         */
        public Builder<T> epoch(String epoch) {
            once(this.epoch, "epoch");
            this.epoch = Position.checkEpoch(epoch);
            return this;
        }

        /**
         * Makes this a hub that follows sequence numbers assigned elsewhere:
         * {@link Hub#publish(long, Object)} only. Not with {@link #dedup()}: a message it skipped
         * would look like a gap.
         *
         * @return this
         */
        public Builder<T> externalSequence() {
            once(externalSequence, "externalSequence");
            this.externalSequence = true;
            return this;
        }

        /**
         * Lets a resume reach back further than the history: what the history no longer holds
         * is fetched from {@code backfill} (a cluster stream, a journal). Needs a
         * {@link #history(History)}: the backfill fills in before it.
         *
         * @param backfill where the older messages of this hub's epoch are kept
         * @return this
         */
        public Builder<T> backfill(Backfill<T> backfill) {
            once(this.backfill, "backfill");
            this.backfill = Objects.requireNonNull(backfill, "backfill");
            return this;
        }

        /** {@return the hub} */
        public Hub<T> build() {
            if (backfill != null && (history == null || history.isNone())) {
                throw new IllegalStateException("backfill: set without a history (expected:"
                        + " Hub.builder().history(History.last(n)); the backfill fills in before it)");
            }
            if (externalSequence && dedupKey != null) {
                throw new IllegalStateException("dedup: set with externalSequence (expected: one of them:"
                        + " a hub that follows another's numbers publishes every message it is given)");
            }
            if (epoch == null) {
                epoch = randomEpoch();
            }
            if (name == null) {
                name = "hub-" + NAMES.incrementAndGet();
            }
            if (engine == null) {
                engine = Engine.queues();
            }
            if (capacity == 0) {
                capacity = 1024;
            }
            if (overflow == null) {
                overflow = Overflow.slowProducer(Overflow.DEFAULT_MAX_WAIT);
            }
            if (engine instanceof Engine.Ring r && !r.supports(overflow)) {
                throw r.refusal(overflow);
            }
            if (listener == null) {
                listener = HubListener.NOOP;
            }
            if (batchSize == 0) {
                batchSize = 256;
            }
            if (history == null) {
                history = History.none();
            }
            if (clock == null) {
                clock = InstantSource.system();
            }
            Hub<T> hub = new Hub<>(this);
            Consumer<Hub<?>> watcher = built;
            if (watcher != null) {
                watcher.accept(hub);
            }
            return hub;
        }
    }
}
