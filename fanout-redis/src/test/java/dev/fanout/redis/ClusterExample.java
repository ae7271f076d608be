package dev.fanout.redis;

import dev.fanout.Delivery;
import dev.fanout.History;
import dev.fanout.Overflow;
import dev.fanout.Position;
import dev.fanout.PullSubscription;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Optional;

/** The module's example: compiled and run by {@code ClusterExampleTest}, so it cannot rot. */
final class ClusterExample {
    private ClusterExample() {
    }

    static String run(String key) {
        StringBuilder out = new StringBuilder();
        // @start region="example"
        RedisURI redis = RedisURI.create("redis://127.0.0.1:6379");
        // two instances of one stream: in production, one per server
        RedisStreamHub<String> east = RedisStreamHub.builder(redis, key, StreamCodec.strings())
                .maxLength(100_000)                          // XADD MAXLEN ~ 100000
                .history(History.last(1024))                 // each instance's local history
                .overflow(Overflow.dropOldest())             // local subscribers' default
                .build();
        RedisStreamHub<String> west = RedisStreamHub.builder(redis, key, StreamCodec.strings()).build();

        PullSubscription<String> screen = east.subscriber().subscribe();
        Position first = west.publish("ACME 101.5");        // the cluster-wide number, e.g. k3f9q2-1
        west.publish("ACME 101.7");
        Optional<Delivery<String>> seen = screen.await(Duration.ofSeconds(5));
        screen.close();

        // the client comes back to the other instance with the last position it saw
        PullSubscription<String> resumed = west.subscriberAfter(first).subscribe();
        Optional<Delivery<String>> next = resumed.await(Duration.ofSeconds(5));   // ACME 101.7, number 2
        east.close();
        west.close();
        // @end
        out.append("published ").append(first.sequence()).append(" in epoch ")
                .append(first.epoch().equals(east.epoch()) ? "shared" : "other").append('\n');
        seen.ifPresent(d -> out.append("east ").append(d.sequence()).append(' ').append(d.message()).append('\n'));
        next.ifPresent(d -> out.append("west ").append(d.sequence()).append(' ').append(d.message())
                .append(resumed.startGap() ? " after a gap" : "").append('\n'));
        return out.toString();
    }
}
