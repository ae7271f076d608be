package dev.fanout.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fanout.Hub;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The tests of this module run on the module path, as an application's modules do: the
 * library's classes are in the named modules whose descriptors users get, not in the unnamed
 * module where every package is open and every module readable.
 */
class ModulePathTest {

    @Test
    void sseAndCore_areNamedModules_exportingOnlyTheirApi() {
        Module sse = SseHandler.class.getModule();
        Module core = Hub.class.getModule();
        assertEquals("dev.fanout.sse", sse.getName());
        assertEquals("dev.fanout.core", core.getName());
        assertEquals(Set.of("dev.fanout.sse"), exported(sse.getDescriptor()));
        assertEquals(Set.of("dev.fanout", "dev.fanout.spi"), exported(core.getDescriptor()));
        assertTrue(sse.canRead(core), "dev.fanout.sse reads dev.fanout.core");
    }

    @Test
    void disruptor_isNotResolved_forSseUsers() {
        // fanout-core's Disruptor dependency is optional and fanout-sse does not use the ring
        // engine: an SSE application does not get it, and these tests run without it
        assertTrue(ModuleLayer.boot().findModule("com.lmax.disruptor").isEmpty(),
                "com.lmax.disruptor resolved");
    }

    private static Set<String> exported(ModuleDescriptor d) {
        return d.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
    }
}
