package dev.fanout.examples;

import dev.fanout.Hub;
import dev.fanout.Overflow;
import dev.fanout.Subscription;
import dev.fanout.SubscriptionStats;
import dev.fanout.PullSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A stock ticker: many symbols, prices every few milliseconds, and screens that refresh at
 * their own pace and want the latest price of each symbol, not every tick.
 *
 * <p>48 symbols; every 2 ms the exchange publishes 4 new prices for random symbols (2,000
 * quotes a second). Three screens subscribe with {@code latestPerKey(Quote::symbol)}: each
 * keeps at most one pending quote per symbol, the newest, in the order the symbols last
 * changed. They redraw every 200 ms, 600 ms and 1 s, each redraw one batch of at most 64
 * quotes (the buffer's capacity) drained at once. However slow a screen, its batch is about one
 * quote per symbol, not every tick: the quotes pending when the redraw starts, plus the few that
 * arrive while it drains (a symbol taken early in the batch may come again). Once the exchange
 * stops, every screen shows the last price of every symbol.
 *
 * <p>Run: {@code mvn -q -pl examples -am compile exec:java -Dexample=StockTickerExample -Dexec.args=3s}
 *
 * <p>Expected output (prices are random):
 * <pre>
 * t=  200ms  screen  200ms:  400 ticks -> batch of 48 quotes (48 symbols)  e.g. ACBE 101.27
 * t=  600ms  screen  600ms: 1200 ticks -> batch of 48 quotes (48 symbols)  e.g. GIHU 99.80
 * ...
 * published=6000 symbols=48
 * screen  200ms: redraws=15 largest batch=48 superseded=5280 matches the last prices: true
 * screen  600ms: redraws=5 largest batch=48 superseded=5712 matches the last prices: true
 * screen 1000ms: redraws=3 largest batch=48 superseded=5856 matches the last prices: true
 * </pre>
 */
public final class StockTickerExample {
    private static final List<String> SYMBOLS = symbols(48);

    /** One price of one symbol. */
    record Quote(String symbol, double price) {
    }

    private StockTickerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration runFor = Examples.duration(args, Duration.ofSeconds(3));

        Hub<Quote> quotes = Hub.<Quote>builder().name("quotes").build();
        List<Screen> screens = new ArrayList<>();
        for (int millis : new int[] {200, 600, 1000}) {
            // @start region="subscribe"
            PullSubscription<Quote> s = quotes.subscriber()
                    .overflow(Overflow.latestPerKey(Quote::symbol))   // newest quote per symbol
                    .capacity(64)                                     // >= the number of symbols: none evicted
                    .subscribe();
            // @end
            screens.add(new Screen(String.format("screen %4dms", millis), s, Duration.ofMillis(millis)));
        }

        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Screen screen : screens) {
            threads.add(Thread.ofVirtual().name(screen.name).start(() -> screen.run(start)));
        }

        Map<String, Double> last = new HashMap<>(); // what the exchange published last, per symbol
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long next = start;
        while (System.nanoTime() - start < runFor.toNanos()) {
            for (int i = 0; i < 4; i++) {
                String symbol = SYMBOLS.get(random.nextInt(SYMBOLS.size()));
                double price = Math.max(1, last.getOrDefault(symbol, 100.0) + random.nextGaussian() * 0.1);
                price = Math.round(price * 100) / 100.0;
                last.put(symbol, price);
                quotes.publish(new Quote(symbol, price));
            }
            next += Duration.ofMillis(2).toNanos();
            Examples.sleepUntil(next);
        }
        quotes.close(); // each screen draws what it still holds, then ends
        for (Thread t : threads) {
            t.join();
        }

        System.out.println("published=" + quotes.sequence() + " symbols=" + last.size());
        for (Screen screen : screens) {
            SubscriptionStats st = screen.subscription.stats();
            System.out.println(screen.name + ": redraws=" + screen.redraws + " largest batch=" + screen.largestBatch
                    + " superseded=" + st.superseded() + " matches the last prices: " + screen.view.equals(last));
        }
    }

    /** Redraws every {@code every}: one batch, at most one quote per symbol. */
    private static final class Screen {
        final String name;
        final PullSubscription<Quote> subscription;
        final Duration every;
        final Map<String, Double> view = new HashMap<>();
        int redraws;
        int largestBatch;
        long ticksSeen;

        Screen(String name, PullSubscription<Quote> subscription, Duration every) {
            this.name = name;
            this.subscription = subscription;
            this.every = every;
        }

        void run(long start) {
            long next = start;
            while (!subscription.isClosed()) {
                next += every.toNanos();
                Examples.sleepUntil(next);
                // @start region="redraw"
                Map<String, Double> batch = new LinkedHashMap<>();
                int n = subscription.drain((seq, q) -> batch.put(q.symbol(), q.price()), 64);
                view.putAll(batch);                                   // one redraw for the whole batch
                // @end
                if (n == 0) {
                    continue;
                }
                redraws++;
                largestBatch = Math.max(largestBatch, n);
                var first = batch.entrySet().iterator().next();
                long offered = subscription.stats().offered();
                System.out.printf("t=%5dms  %s: %4d ticks -> batch of %2d quotes (%2d symbols)  e.g. %s %.2f%n",
                        Examples.millisSince(start), name, offered - ticksSeen, n, batch.size(),
                        first.getKey(), first.getValue());
                ticksSeen = offered;
            }
        }
    }

    /** Four-letter names made of two syllables: ACBE, ACCO, ... */
    private static List<String> symbols(int n) {
        String[] syllables = {"AC", "BE", "CO", "DY", "EX", "FO", "GI", "HU"};
        List<String> out = new ArrayList<>();
        for (String a : syllables) {
            for (String b : syllables) {
                if (!a.equals(b) && out.size() < n) {
                    out.add(a + b);
                }
            }
        }
        return out;
    }
}
