package dev.fanout;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Every {@link Engine}, built one way for the contract and race tests, as {@link StrategyType}
 * does for the strategies.
 *
 * <p>{@link #RING} has {@value #RING_SIZE} slots, so with subscription capacity 4 both the
 * subscription's boundary (lossy strategies skip past it) and the ring's (lossless ones gate the
 * producer on it) are a few publishes away.
 */
enum EngineType {
    QUEUES,
    RING;

    /** The ring's slots: small, so that laps, skips and gating happen within a few publishes. */
    static final int RING_SIZE = 8;

    /** @return a fresh engine of this type */
    Engine engine() {
        return switch (this) {
            case QUEUES -> Engine.queues();
            case RING -> Engine.ring(RING_SIZE);
        };
    }

    /** @return a hub builder on this engine */
    <T> Hub.Builder<T> hub() {
        return Hub.<T>builder().engine(engine());
    }

    /** @return true when this engine can honour {@code type} (the ring refuses the strategies that need a buffer per subscriber) */
    boolean supports(StrategyType type) {
        return switch (this) {
            case QUEUES -> true;
            case RING -> switch (type) {
                case SLOW_PRODUCER, DROP_OLDEST, LATEST_ONLY, DISCONNECT -> true;
                case DROP_NEWEST, LATEST_PER_KEY, ELASTIC_WORKERS -> false;
            };
        };
    }

    boolean isRing() {
        return this == RING;
    }

    /** @return every supported (engine, strategy) pair */
    static Stream<Arguments> supportedPairs() {
        return pairs(true);
    }

    /** @return every refused (engine, strategy) pair */
    static Stream<Arguments> refusedPairs() {
        return pairs(false);
    }

    private static Stream<Arguments> pairs(boolean supported) {
        return Stream.of(values()).flatMap(e -> Stream.of(StrategyType.values())
                .filter(t -> e.supports(t) == supported)
                .map(t -> Arguments.of(e, t)));
    }
}
