package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Hub#publishAndReport} reports each publish on its own: the hub reuses one tally from
 * publish to publish and clears its drop counts only after a publish that dropped something, so a
 * publish that drops nothing after one that did must report no drops.
 */
class PublishReportTest {

    @Test
    void aPublishAfterOneThatDropped_reportsOnlyItsOwnDrops() {
        Hub<Integer> hub = Hub.<Integer>builder().build();
        PullSubscription<Integer> full = hub.subscriber().capacity(1).overflow(Overflow.dropNewest()).subscribe();
        PullSubscription<Integer> other = hub.subscriber().capacity(4).overflow(Overflow.dropNewest()).subscribe();

        PublishResult first = hub.publishAndReport(1);
        PublishResult dropped = hub.publishAndReport(2); // the capacity-1 subscriber is full
        full.drain((seq, m) -> { }, Integer.MAX_VALUE);
        other.drain((seq, m) -> { }, Integer.MAX_VALUE);
        PublishResult clean = hub.publishAndReport(3);

        assertAll(
                () -> assertEquals(List.of(2, 0), List.of(first.accepted(), first.dropped())),
                () -> assertEquals(1, dropped.dropped(DropCause.NEWEST), dropped::toString),
                () -> assertEquals(1, dropped.accepted(), dropped::toString),
                () -> assertEquals(0, clean.dropped(), clean::toString),
                () -> assertEquals(2, clean.accepted(), clean::toString));
        hub.close();
    }
}
