package dev.fanout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An AIMD rate controller for producers of a hub with lossless subscribers: the pacing half of
 * {@link Overflow#slowProducer(Duration) slowProducer}.
 *
 * <p>Attached with {@link Hub.Builder#pacer(Pacer)}, the hub reports after every publish how
 * full its fullest lossless subscriber is. Once per control {@linkplain Builder#interval
 * interval} the pacer looks at the highest fill seen in that interval: at or above the high
 * mark, and not lower than in the interval before, it multiplies its rate by the
 * {@linkplain Builder#decreaseFactor decrease factor} (multiplicative decrease on pressure; a
 * fill that is already falling means the last cut works); at or below the low mark it adds the
 * {@linkplain Builder#increase increase} (additive increase with headroom); in between it
 * holds. The rate so settles around the pace of the slowest lossless subscriber, and the
 * blocking of {@code slowProducer} stays the backstop: nothing is lost while the pacer learns.
 *
 * <p>The producer consults it by calling {@link #pace()} before each publish, or reads
 * {@link #rate()} to pace itself. All methods are thread-safe; several producers may share one
 * pacer, and they are then paced together.
 */
public final class Pacer {

    private final double minRate;
    private final double maxRate;
    private final double increase;
    private final double decreaseFactor;
    private final double highMark;
    private final double lowMark;
    private final long intervalNanos;

    private volatile double rate;
    private volatile double windowMaxFill;
    private double previousFill; // written only by the thread that wins the window
    private final AtomicLong windowEnd;
    private final AtomicLong nextSlot = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong decreases = new AtomicLong();
    private final AtomicLong increases = new AtomicLong();

    private Pacer(Builder b) {
        this.minRate = b.minRate;
        this.maxRate = b.maxRate;
        this.increase = b.increase;
        this.decreaseFactor = b.decreaseFactor;
        this.highMark = b.highMark;
        this.lowMark = b.lowMark;
        this.intervalNanos = Checks.nanos(b.interval);
        this.rate = b.initialRate;
        this.windowEnd = new AtomicLong(System.nanoTime() + intervalNanos);
    }

    /** {@return a builder with the defaults listed on its methods} */
    public static Builder aimd() {
        return new Builder();
    }

    /**
     * Parks the calling thread until its turn at the current rate. Turns are handed out one
     * {@code 1 / rate()} apart; a producer that is late gets its turn at once but earns no
     * burst. An interrupt returns early and leaves the flag set.
     */
    public void pace() {
        long gap = (long) (1_000_000_000d / rate);
        long now = System.nanoTime();
        long slot;
        while (true) {
            long next = nextSlot.get();
            slot = next == Long.MIN_VALUE || next - now < 0 ? now : next;
            if (nextSlot.compareAndSet(next, slot + gap)) {
                break;
            }
        }
        long wait;
        while ((wait = slot - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(this, wait);
        }
    }

    /** {@return how often the hub samples the fill for this pacer: eight times per interval} */
    long samplePeriodNanos() {
        return Math.max(1, intervalNanos >> 3);
    }

    /** {@return the messages per second the producer should keep to now} */
    public double rate() {
        return rate;
    }

    /** {@return how many times the rate was cut} */
    public long decreases() {
        return decreases.get();
    }

    /** {@return how many times the rate was raised} */
    public long increases() {
        return increases.get();
    }

    /**
     * Reports the fill of the fullest lossless subscriber. Called by the hub after each publish.
     *
     * @param fill depth divided by capacity, 0 to 1
     * @param now  {@link System#nanoTime()}
     */
    void observe(double fill, long now) {
        if (fill > windowMaxFill) {
            windowMaxFill = fill; // a racy max is enough for a control signal
        }
        long end = windowEnd.get();
        if (now - end < 0 || !windowEnd.compareAndSet(end, now + intervalNanos)) {
            return;
        }
        double seen = windowMaxFill;
        double before = previousFill;
        previousFill = seen;
        windowMaxFill = fill;
        double r = rate;
        if (seen >= highMark && seen >= before) { // a falling fill means the last cut already works
            rate = Math.max(minRate, r * decreaseFactor);
            decreases.incrementAndGet();
        } else if (seen <= lowMark && r < maxRate) {
            rate = Math.min(maxRate, r + increase);
            increases.incrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "Pacer[rate=" + rate + "]";
    }

    /** Builds a {@link Pacer}. Not thread-safe; an option set twice keeps the last value. */
    public static final class Builder {
        private double initialRate = 1000;
        private double minRate = 1;
        private double maxRate = 1_000_000;
        private double increase = 10;
        private double decreaseFactor = 0.8;
        private double highMark = 0.5;
        private double lowMark = 0.25;
        private Duration interval = Duration.ofMillis(50);

        private Builder() {
        }

        /**
         * Sets the starting rate.
         *
         * @param perSecond the starting rate, messages per second (default 1000)
         * @return this
         */
        public Builder initialRate(double perSecond) {
            this.initialRate = Checks.positive("initialRate", perSecond);
            return this;
        }

        /**
         * Sets the range the rate stays in.
         *
         * @param min the lowest rate (default 1)
         * @param max the highest rate (default 1,000,000)
         * @return this
         */
        public Builder range(double min, double max) {
            Checks.positive("minRate", min);
            Checks.positive("maxRate", max);
            if (max < min) {
                throw new IllegalArgumentException("maxRate: " + max + " (expected: >= minRate " + min + ")");
            }
            this.minRate = min;
            this.maxRate = max;
            return this;
        }

        /**
         * Sets the additive increase.
         *
         * @param perInterval messages per second added after an interval with headroom (default 10)
         * @return this
         */
        public Builder increase(double perInterval) {
            this.increase = Checks.positive("increase", perInterval);
            return this;
        }

        /**
         * Sets the multiplicative decrease.
         *
         * @param factor the rate is multiplied by this after an interval under pressure, in (0, 1) (default 0.8)
         * @return this
         */
        public Builder decreaseFactor(double factor) {
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("decreaseFactor: " + factor + " (expected: > 0 and < 1)");
            }
            this.decreaseFactor = factor;
            return this;
        }

        /**
         * Sets the fills at which the rate rises and falls; between them it holds.
         *
         * @param low  at or below this fill the rate rises (default 0.25)
         * @param high at or above this fill the rate falls (default 0.5)
         * @return this
         */
        public Builder marks(double low, double high) {
            if (!(low >= 0 && low < high && high <= 1)) {
                throw new IllegalArgumentException("marks: " + low + ", " + high
                        + " (expected: 0 <= low < high <= 1)");
            }
            this.lowMark = low;
            this.highMark = high;
            return this;
        }

        /**
         * Sets the control period.
         *
         * @param interval the control period: the rate changes at most once per interval (default 50 ms)
         * @return this
         */
        public Builder interval(Duration interval) {
            this.interval = Checks.positive("interval", interval);
            return this;
        }

        /**
         * Builds the pacer.
         *
         * @return the pacer
         * @throws IllegalArgumentException when the initial rate is outside the range
         */
        public Pacer build() {
            if (initialRate < minRate || initialRate > maxRate) {
                throw new IllegalArgumentException("initialRate: " + initialRate
                        + " (expected: between " + minRate + " and " + maxRate + ")");
            }
            return new Pacer(this);
        }
    }
}
