package dev.fanout;

/**
 * What one {@link Hub#publish(Object) publish} did, subscriber by subscriber.
 *
 * <p>Every subscriber that the publish saw ends in exactly one outcome, so
 * {@code subscribers() == accepted() + dropped(NEWEST) + dropped(TIMEOUT) + disconnected() + dropped(CLOSED)}.
 * {@link DropCause#OLDEST} and {@link DropCause#SUPERSEDED} count earlier messages that this
 * publish displaced while its own message was accepted.
 *
 * <p>On the {@linkplain Engine#ring(int) ring engine} a publish writes one slot and never looks
 * at lossy subscribers: {@code accepted()} counts the subscribers the message became readable
 * to, and what a lagging subscriber then skips is counted in its {@link SubscriptionStats} when
 * it reads. {@code timedOut()} counts the lossless subscribers this publish stopped waiting for.
 *
 * <p>Immutable once returned; it may be handed to other threads like any object.
 */
public final class PublishResult {

    /** The outcome of the publish as a whole. */
    public enum Status {
        /** The message got a sequence number and was offered to every subscriber. */
        PUBLISHED,
        /** The hub was closed: the message got no sequence number and went nowhere. */
        HUB_CLOSED,
        /** The hub dedups and the message equals the previous one: it got no sequence number and went nowhere. */
        DUPLICATE
    }

    private static final PublishResult HUB_CLOSED = new PublishResult(0, Status.HUB_CLOSED, 0, 0, new int[Counts.DROP_CAUSES]);
    private static final PublishResult DUPLICATE = new PublishResult(0, Status.DUPLICATE, 0, 0, new int[Counts.DROP_CAUSES]);

    private final long sequence;
    private final Status status;
    private final int subscribers;
    private final int accepted;
    private final DropCounts drops;

    private PublishResult(long sequence, Status status, int subscribers, int accepted, int[] drops) {
        this.sequence = sequence;
        this.status = status;
        this.subscribers = subscribers;
        this.accepted = accepted;
        this.drops = DropCounts.of(drops);
    }

    PublishResult(long sequence, int subscribers, int accepted, int[] drops) {
        this(sequence, Status.PUBLISHED, subscribers, accepted, drops);
    }

    static PublishResult hubClosed() {
        return HUB_CLOSED;
    }

    static PublishResult duplicate() {
        return DUPLICATE;
    }

    /** {@return the status} */
    public Status status() {
        return status;
    }

    /** {@return true when the message was published (it has a sequence number)} */
    public boolean isPublished() {
        return status == Status.PUBLISHED;
    }

    /** {@return the sequence number given to the message, or 0 when it was not published} */
    public long sequence() {
        return sequence;
    }

    /** {@return how many subscribers the message was offered to} */
    public int subscribers() {
        return subscribers;
    }

    /** {@return how many subscribers queued the message} */
    public int accepted() {
        return accepted;
    }

    /** {@return true when every subscriber queued the message (also true when there were none)} */
    public boolean allAccepted() {
        return accepted == subscribers;
    }

    /**
     * Drops of this publish for one cause.
     *
     * @param cause a cause
     * @return how many messages this publish dropped for that cause, summed over subscribers
     */
    public int dropped(DropCause cause) {
        return (int) drops.get(cause);
    }

    /** {@return how many messages this publish dropped, all causes together} */
    public int dropped() {
        return (int) drops.total();
    }

    /** {@return how many subscribers this publish disconnected ({@link Overflow#disconnect()})} */
    public int disconnected() {
        return (int) drops.get(DropCause.DISCONNECTED);
    }

    /** {@return how many lossless subscribers stayed full past their wait limit} */
    public int timedOut() {
        return (int) drops.get(DropCause.TIMEOUT);
    }

    @Override
    public String toString() {
        if (status != Status.PUBLISHED) {
            return "PublishResult[" + status + "]";
        }
        return "PublishResult[seq=" + sequence + ", subscribers=" + subscribers + ", accepted=" + accepted
                + (dropped() == 0 ? "" : ", " + drops) + "]";
    }
}
