package dev.fanout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

/** The README's Flow example: compiled and run by {@code FlowReadmeExampleTest}, so it cannot rot. */
final class FlowReadmeExample {
    private FlowReadmeExample() {
    }

    static List<String> run() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        Hub<String> prices = Hub.<String>builder().build();
        Flow.Subscriber<String> screen = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String price) {
                out.add(price);
            }

            @Override
            public void onError(Throwable e) {
                out.add("error " + e);
                ended.countDown();
            }

            @Override
            public void onComplete() {
                out.add("complete");
                ended.countDown();
            }
        };
        try (SubmissionPublisher<String> source = new SubmissionPublisher<>()) {
            // @start region="publisher"
            // the hub as a Flow.Publisher: each subscriber gets its own strategy and demand
            FlowPublisher.of(prices, Overflow.latestOnly()).subscribe(screen);
            // @end
            // @start region="subscriber"
            // a Flow source feeding the hub: its demand follows publish(), closing the hub at the end
            HubSubscriber<String> feed = HubSubscriber.builder(prices).closeHubOnComplete().build();
            source.subscribe(feed);
            source.submit("ACME 101.5");
            source.close();                                   // completes the feed, which closes the hub
            // @end
            feed.completion().get(30, TimeUnit.SECONDS);
        }
        ended.await(30, TimeUnit.SECONDS);
        return out;
    }
}
