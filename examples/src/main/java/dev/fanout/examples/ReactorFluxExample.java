package dev.fanout.examples;

import dev.fanout.FlowPublisher;
import dev.fanout.Hub;
import dev.fanout.HubStats;
import dev.fanout.Overflow;
import java.time.Duration;
import java.util.List;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Reactor {@link Flux} consuming a hub through {@code java.util.concurrent.Flow}: the hub is a
 * {@code Flow.Publisher} by {@link FlowPublisher}, and Reactor's {@code JdkFlowAdapter} turns it
 * into a {@code Flux}. Reactor's requests are the subscription's demand, and each Flux gets the
 * strategy given to {@code FlowPublisher.of}.
 *
 * <p>A price feed publishes 500 prices, one every millisecond or so, then closes the hub. Two
 * Fluxes read it: an audit that is lossless ({@code slowProducer}) and requests 16 at a time
 * ({@code limitRate}), and a chart that takes one price every 20 ms with {@code latestOnly}: it
 * misses the prices it had no time for, and still ends on the last one. The hub's close
 * completes both Fluxes.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=ReactorFluxExample}
 *
 * <p>Expected output (the chart's count shifts with timing):
 * <pre>
 * published=500
 * audit flux: 500 prices, in order: true
 * chart flux: 36 prices, superseded 464, ends on the last price: true
 * </pre>
 */
public final class ReactorFluxExample {
    private ReactorFluxExample() {
    }

    public static void main(String[] args) {
        int n = 500;
        Hub<Integer> prices = Hub.<Integer>builder().name("prices").build();

        // @start region="flux"
        Flux<Integer> audit = JdkFlowAdapter.flowPublisherToFlux(
                FlowPublisher.of(prices, Overflow.slowProducer(Duration.ofSeconds(5))));
        Flux<Integer> chart = JdkFlowAdapter.flowPublisherToFlux(
                FlowPublisher.of(prices, Overflow.latestOnly()));

        Mono<List<Integer>> audited = audit.limitRate(16).collectList().cache();     // lossless, 16 at a time
        Mono<List<Integer>> charted = chart.limitRate(1)
                .delayElements(Duration.ofMillis(20))                                // a slow consumer
                .collectList().cache();
        // @end
        audited.subscribe();
        charted.subscribe();

        Thread.ofVirtual().start(() -> {
            for (int i = 1; i <= n; i++) {
                prices.publish(i);
                Examples.sleep(Duration.ofNanos(1_000_000));
            }
            prices.close(); // completes both Fluxes once they have what their strategies kept
        });

        List<Integer> a = audited.block(Duration.ofSeconds(60));
        List<Integer> c = charted.block(Duration.ofSeconds(60));
        HubStats stats = prices.stats();
        System.out.println("published=" + stats.published());
        System.out.println("audit flux: " + a.size() + " prices, in order: " + a.equals(range(n)));
        System.out.println("chart flux: " + c.size() + " prices, superseded " + stats.superseded()
                + ", ends on the last price: " + (c.get(c.size() - 1) == n));
    }

    private static List<Integer> range(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n).boxed().toList();
    }
}
