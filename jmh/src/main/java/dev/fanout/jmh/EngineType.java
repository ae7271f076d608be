package dev.fanout.jmh;

import dev.fanout.Engine;
import dev.fanout.Overflow;
import dev.fanout.StrategyType;
import java.util.function.Supplier;

/**
 * Every Fanout engine, as a JMH {@code @Param}. Adding an engine is one constant here; the
 * benchmarks build hubs only through {@link #engine()}.
 */
public enum EngineType {
    QUEUES(Engine::queues),
    RING(() -> Engine.ring(FanoutScenario.CAPACITY));

    private final Supplier<Engine> factory;

    EngineType(Supplier<Engine> factory) {
        this.factory = factory;
    }

    /** @return a new engine of this type */
    public Engine engine() {
        return factory.get();
    }

    /**
     * @param strategy a strategy
     * @return false when a hub on this engine rejects the strategy, so the benchmark reports it
     *         as not applicable instead of failing
     */
    public boolean supports(StrategyType strategy) {
        return engine().supports(strategy.overflow(Overflow.DEFAULT_MAX_WAIT));
    }
}
