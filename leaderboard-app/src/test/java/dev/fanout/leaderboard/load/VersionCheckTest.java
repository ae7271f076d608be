package dev.fanout.leaderboard.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fanout.leaderboard.load.VersionCheck.Step;
import org.junit.jupiter.api.Test;

class VersionCheckTest {

    @Test
    void forwardIdsAndVersions_areForward_fromTheFirstOn() {
        VersionCheck c = new VersionCheck();
        assertEquals(Step.FIRST, c.onEvent("ep-5", 5, 40));
        assertEquals(Step.FORWARD, c.onEvent("ep-6", 6, 41));
        assertEquals(Step.FORWARD, c.onEvent("ep-9", 9, 57), "a gap is allowed: latest-only skips snapshots");
        assertEquals(9, c.sequence());
    }

    @Test
    void theSameIdAgain_isARepeat_andAnOlderOne_goesBackwards_theNewestStaysTheReference() {
        VersionCheck c = new VersionCheck();
        c.onEvent("ep-5", 5, 40);
        c.onEvent("ep-7", 7, 44);
        assertEquals(Step.REPEAT, c.onEvent("ep-7", 7, 44), "an instance that resent the state the client had");
        assertEquals(Step.BACKWARDS, c.onEvent("ep-6", 6, 42), "an instance behind that sent its older board");
        assertEquals(Step.BACKWARDS, c.onEvent("ep-7", 6, 43));
        assertEquals(7, c.sequence());
        assertEquals(Step.FORWARD, c.onEvent("ep-8", 8, 45));
    }

    @Test
    void aNewerIdWhoseVersionDidNotMove_isCounted() {
        VersionCheck c = new VersionCheck();
        c.onEvent("ep-5", 5, 40);
        assertEquals(Step.VERSION_NOT_FORWARD, c.onEvent("ep-6", 6, 40));
        assertEquals(Step.VERSION_NOT_FORWARD, c.onEvent("ep-7", 7, 39));
        assertEquals(Step.FORWARD, c.onEvent("ep-8", 8, 41));
    }

    @Test
    void afterAReset_orInAnotherEpoch_lowerNumbersAreANewHistory_notAViolation() {
        VersionCheck c = new VersionCheck();
        c.onEvent("old-50", 50, 500);
        c.reset();
        assertEquals(Step.FIRST, c.onEvent("new-1", 1, 3));
        assertEquals(Step.FORWARD, c.onEvent("new-2", 2, 4));
        assertEquals(Step.NEW_EPOCH, c.onEvent("newer-1", 1, 1), "an epoch change without a reset event");
        assertEquals(Step.REPEAT, c.onEvent("newer-1", 1, 1));
    }
}
