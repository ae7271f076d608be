/**
 * Fanout SSE: Server-Sent Events endpoints on the Helidon 4 SE web server, fed by a
 * {@link dev.fanout.Hub}. See {@link dev.fanout.sse.SseHandler}.
 */
module dev.fanout.sse {
    requires transitive dev.fanout.core;
    requires transitive io.helidon.webserver;
    requires jdk.management;
    requires io.helidon.common.task;

    exports dev.fanout.sse;

    // ConnectionGuard creates the HTTP/1.1 and HTTP/2 selectors Helidon would use
    uses io.helidon.webserver.spi.ServerConnectionSelectorProvider;
}
