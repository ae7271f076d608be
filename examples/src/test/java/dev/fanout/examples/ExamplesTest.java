package dev.fanout.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExamplesTest {

    @Test
    void duration_readsSecondsMillisAndIso() {
        Duration d = Duration.ofSeconds(9);
        assertEquals(d, Examples.duration(new String[0], d));
        assertEquals(Duration.ofSeconds(3), Examples.duration(new String[] {"3s"}, d));
        assertEquals(Duration.ofMillis(1500), Examples.duration(new String[] {"1.5s"}, d));
        assertEquals(Duration.ofMillis(500), Examples.duration(new String[] {"500ms"}, d));
        assertEquals(Duration.ofSeconds(2), Examples.duration(new String[] {"PT2S"}, d));
    }

    @Test
    void duration_rejectsWhatItCannotRead() {
        assertEquals("duration: \"soon\" (expected: like 3s, 500ms or PT3S)",
                assertThrows(IllegalArgumentException.class, () -> Examples.duration(new String[] {"soon"}, Duration.ZERO))
                        .getMessage());
        assertEquals("duration: \"0s\" (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> Examples.duration(new String[] {"0s"}, Duration.ZERO))
                        .getMessage());
    }
}
