package dev.fanout;

/**
 * How a hub moves messages to its subscribers, chosen when the hub is built.
 *
 * <ul>
 *   <li>{@link #queues()}: one bounded JCTools queue per subscriber. The cost of a publish grows
 *       with the number of subscribers; every {@link Overflow} strategy is supported.</li>
 *   <li>{@link #ring(int)}: one LMAX Disruptor ring per hub and one cursor per subscriber. The
 *       cost of a publish does not grow with the number of subscribers. Lossless subscribers
 *       ({@code slowProducer}) hold the producer at their capacity, as on the queue engine; lossy
 *       ones ({@code dropOldest}, {@code latestOnly}, {@code disconnect}) are never waited for: a
 *       subscriber that falls more than its capacity behind skips ahead when it next reads
 *       (its statistics count the skip at once), and a slot overwritten by a later lap is never
 *       handed out as the one expected. A subscription's capacity is at most the ring's size. {@code dropNewest}, {@code latestPerKey} and {@code elasticWorkers} need a
 *       buffer per subscriber and are refused.</li>
 * </ul>
 *
 * <p>Immutable; may be shared.
 */
public sealed interface Engine permits Engine.Queues, Engine.Ring {

    /** {@return the per-subscriber queue engine} */
    static Engine queues() {
        return Queues.INSTANCE;
    }

    /**
     * The ring engine: one LMAX Disruptor ring per hub, with {@code size} slots.
     *
     * <p>The ring engine needs the LMAX Disruptor ({@code com.lmax:disruptor}), an optional
     * dependency of Fanout: add it to the class path, or on the module path resolve the module
     * {@code com.lmax.disruptor} ({@code requires com.lmax.disruptor} in your module, or
     * {@code --add-modules com.lmax.disruptor}).
     *
     * @param size the ring's slots, rounded up to a power of two; a subscription's capacity is at
     *             most this
     * @return the ring engine
     * @throws IllegalArgumentException when {@code size} is not in 1 to
     *         {@link Hub.Builder#MAX_CAPACITY}
     * @throws IllegalStateException when the Disruptor is not on the class path or not readable
     *         on the module path
     */
    static Engine ring(int size) {
        return new Ring(size);
    }

    /**
     * Reads an engine from its {@link #alias() alias}: {@code queues} or {@code ring:SIZE}; case
     * and surrounding blanks are ignored.
     *
     * @param alias the text
     * @return the engine
     * @throws IllegalArgumentException naming the expected forms, for anything else
     * @throws IllegalStateException for {@code ring:SIZE} without the Disruptor, as
     *         {@link #ring(int)}
     */
    static Engine parse(String alias) {
        return Aliases.engine(alias);
    }

    /** {@return the kebab-case name of this engine: {@code "queues"} or {@code "ring"}} */
    String name();

    /** {@return the name with the parameters, {@code "queues"} or {@code "ring:1024"}: what {@link #parse(String)} reads back} */
    String alias();

    /**
     * Whether hubs on this engine accept subscriptions with a strategy: {@link #ring(int)}
     * refuses the ones that need a buffer per subscriber.
     *
     * @param overflow a strategy
     * @return true when this engine can honour it
     */
    boolean supports(Overflow overflow);

    /** The per-subscriber queue engine. */
    record Queues() implements Engine {
        static final Queues INSTANCE = new Queues();

        @Override
        public String name() {
            return "queues";
        }

        @Override
        public String alias() {
            return name();
        }

        @Override
        public boolean supports(Overflow overflow) {
            return true;
        }
    }

    /**
     * The ring engine.
     *
     * @param size the ring's slots, a power of two
     */
    record Ring(int size) implements Engine {

        /**
         * Validates and rounds up.
         *
         * @throws IllegalArgumentException when {@code size} is not in 1 to
         *         {@link Hub.Builder#MAX_CAPACITY}
         * @throws IllegalStateException when the Disruptor is missing, as {@link Engine#ring(int)}
         */
        public Ring {
            Hub.Builder.checkCapacity(size);
            size = Hub.ceilPowerOfTwo(size);
            requireDisruptor();
        }

        /**
         * The Disruptor is optional: without this check, a ring engine made without it would fail
         * later, at the first hub, with a {@link NoClassDefFoundError} that names a Disruptor
         * class. This class names none, so it loads without the Disruptor.
         */
        private static void requireDisruptor() {
            Class<?> ring;
            try {
                ring = Class.forName("com.lmax.disruptor.RingBuffer", false, Ring.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw missingDisruptor("is neither on the class path nor a resolved module", e);
            }
            if (!Ring.class.getModule().canRead(ring.getModule())) {
                // a named dev.fanout.core reads com.lmax.disruptor only when that module is resolved
                throw missingDisruptor("is not a module that dev.fanout.core reads (found in "
                        + ring.getModule() + ")", null);
            }
        }

        private static IllegalStateException missingDisruptor(String why, Throwable cause) {
            return new IllegalStateException("Engine.ring needs the LMAX Disruptor, which " + why
                    + " (expected: com.lmax:disruptor on the class path, or the module com.lmax.disruptor"
                    + " resolved on the module path: 'requires com.lmax.disruptor' or"
                    + " '--add-modules com.lmax.disruptor'; Engine.queues() needs only JCTools)", cause);
        }

        @Override
        public String name() {
            return "ring";
        }

        @Override
        public String alias() {
            return name() + ":" + size;
        }

        @Override
        public boolean supports(Overflow overflow) {
            return Strategy.ringSupports(overflow);
        }

        IllegalArgumentException refusal(Overflow overflow) {
            return new IllegalArgumentException("overflow: " + overflow.name() + " is not supported by the ring engine"
                    + " (expected: " + Strategy.ringAliases() + "; Engine.queues() supports every strategy)");
        }
    }
}
