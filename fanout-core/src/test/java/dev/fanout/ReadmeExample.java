package dev.fanout;

import java.time.Duration;
import java.util.Optional;

/** The README's example: compiled and run by {@code ReadmeExampleTest}, so it cannot rot. */
final class ReadmeExample {
    private ReadmeExample() {
    }

    static String run() throws InterruptedException {
        StringBuilder out = new StringBuilder();
        // @start region="example"
        Hub<String> prices = Hub.<String>builder()
                .capacity(256)
                .overflow(Overflow.dropOldest())             // for subscribers that do not choose
                .build();
        PullSubscription<String> screen = prices.subscribe(Overflow.latestOnly());
        PullSubscription<String> audit = prices.subscribe(Overflow.slowProducer(Duration.ofSeconds(1)));

        PublishResult r = prices.publishAndReport("ACME 101.5");  // says who took it, who dropped it
        long second = prices.publish("ACME 101.7");               // allocates nothing: the sequence number
        screen.drain((seq, p) -> out.append("screen ").append(seq).append(' ').append(p).append('\n'), 64);
        Optional<Delivery<String>> first = audit.await(Duration.ofMillis(100));   // parks; fine on a virtual thread
        prices.close();
        // @end
        out.append("accepted ").append(r.accepted()).append(", then sequence ").append(second).append('\n');
        first.ifPresent(d -> out.append("audit ").append(d.sequence()).append(' ').append(d.message()).append('\n'));
        return out.toString();
    }
}
