package dev.fanout.micrometer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MicrometerExampleTest {

    @Test
    void hubExample_scrapesWhatItsCommentsSay() {
        String text = MicrometerExample.hub();
        assertTrue(text.contains("fanout_hub_published_total{hub=\"prices\"} 2.0"), text);
        assertTrue(text.contains("fanout_hub_dropped_total{cause=\"superseded\",hub=\"prices\"} 1.0"), text);
    }

    @Test
    void sseExample_registersTheEndpointsMeters() {
        String text = MicrometerExample.sse();
        assertTrue(text.contains("fanout_sse_connections_open{endpoint=\"events\"} 0.0"), text);
        assertTrue(text.contains("fanout_sse_latency_seconds_bucket{endpoint=\"events\",le=\"0.25\"} 0"), text);
    }
}
