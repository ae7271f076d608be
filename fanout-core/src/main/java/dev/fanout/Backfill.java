package dev.fanout;

import java.util.List;

/**
 * Where a hub fetches the messages its {@link History} no longer holds, so that a subscriber
 * resuming from further back than the history reaches still gets every message, with no gap and
 * no duplicate: a cluster stream, a journal. Given to {@link Hub.Builder#backfill(Backfill)}.
 *
 * <p>A resume ({@link SubscriptionBuilder#resumeAfter(Position)}) of the hub's epoch whose next
 * message the history lacks calls {@link #fetch}, up to a little past the oldest message the
 * history keeps (so the two still meet after a few publishes during the fetch); the hub then
 * replays what it returned, the history from right after the last of those, and live messages.
 * When the history has moved past the end of what came meanwhile, it fetches on from there, a
 * few times at most. When nothing usable comes (an empty list, one that does not start at the
 * message needed or has a hole), or the history is never reached, the resume is a gap
 * ({@link Subscription#startGap()}), as without a backfill.
 *
 * <p><b>Threads.</b> Called on the subscribing thread, never under a lock of the hub, and
 * possibly by several subscribing threads at once: an implementation must be thread-safe. It may
 * block (it usually does I/O), and the subscribe waits for it. What it throws is contained: the
 * hub logs it at debug level and the resume is a gap.
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface Backfill<T> {

    /**
     * Fetches the messages of {@code epoch} with sequence numbers {@code after + 1} to
     * {@code upTo}, in order.
     *
     * @param epoch the hub's epoch: a source that holds another epoch's messages returns none
     * @param after the last sequence number the subscriber has
     * @param upTo  the last one needed (the hub's history holds what follows), above {@code after}
     * @return those messages ({@link Delivery#of(long, Object)}), in order and with no gap from
     *         {@code after + 1}; a prefix when the source holds no more; empty when it holds
     *         none of them (trimmed, unreachable)
     */
    List<Delivery<T>> fetch(String epoch, long after, long upTo);
}
