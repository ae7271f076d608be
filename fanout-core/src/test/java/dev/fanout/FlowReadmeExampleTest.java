package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlowReadmeExampleTest {
    @Test
    void flowReadmeExample_receivesThePriceThenCompletes() throws Exception {
        assertEquals(List.of("ACME 101.5", "complete"), FlowReadmeExample.run());
    }
}
