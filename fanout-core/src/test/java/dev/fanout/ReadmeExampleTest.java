package dev.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadmeExampleTest {
    @Test
    void readmeExample_printsWhatTheReadmeSays() throws Exception {
        assertEquals("""
                screen 2 ACME 101.7
                accepted 2, then sequence 2
                audit 1 ACME 101.5
                """, ReadmeExample.run());
    }
}
