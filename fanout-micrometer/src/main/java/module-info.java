/**
 * Fanout Micrometer: meter binders for {@link dev.fanout.Hub}s and {@link dev.fanout.Topics}
 * ({@link dev.fanout.micrometer.FanoutMetrics}) and for fanout-sse's endpoints
 * ({@link dev.fanout.micrometer.SseMetrics}; fanout-sse is optional, needed only by that class).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer ships automatic modules
module dev.fanout.micrometer {
    requires transitive dev.fanout.core;
    requires transitive micrometer.core;
    requires static transitive dev.fanout.sse; // SseMetrics' API names SseHandler

    exports dev.fanout.micrometer;
}
