package dev.fanout.micrometer;

import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.PullSubscription;
import dev.fanout.sse.SseEvent;
import dev.fanout.sse.SseHandler;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/** The README's and the Javadoc's Micrometer example, compiled and run by {@link MicrometerExampleTest}. */
final class MicrometerExample {

    private MicrometerExample() {
    }

    /** @return the Prometheus text after two publishes to a latest-only subscriber */
    static String hub() {
        // @start region="hub"
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Hub<String> prices = Hub.<String>builder().name("prices").build();
        FanoutMetrics.of(prices, "prices").bindTo(registry);   // fanout_hub_*{hub="prices"}

        PullSubscription<String> screen = prices.subscribe(Overflow.latestOnly());
        prices.publish("ACME 101.5");
        prices.publish("ACME 101.7");                         // supersedes the first one
        String text = registry.scrape();                      // fanout_hub_dropped_total{cause="superseded",hub="prices"} 1.0
        // @end
        screen.close();
        prices.close();
        return text;
    }

    /** @return the meter names an SSE endpoint gets */
    static String sse() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Hub<SseEvent> hub = Hub.<SseEvent>builder().build();
        // @start region="sse"
        SseHandler<SseEvent> events = SseHandler.builder(hub).build();
        // fanout_sse_*{endpoint="events"}, and fanout_sse_latency_seconds_bucket with a 250 ms bucket
        SseMetrics.of(events, "events", Tags.empty(), Duration.ofMillis(250)).bindTo(registry);
        // @end
        String text = registry.scrape();
        events.close();
        hub.close();
        return text;
    }
}
