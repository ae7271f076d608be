/**
 * Fanout core: fan-out with backpressure.
 *
 * <p>One {@link dev.fanout.Hub} publishes to many {@link dev.fanout.Subscription}s; each
 * subscription has a bounded buffer (or a cursor on the hub's ring) and an {@link dev.fanout.Overflow} strategy that says
 * what happens when it falls behind. {@link dev.fanout.spi} holds the listener SPI.
 */
module dev.fanout.core {
    requires org.jctools.core;
    // only the ring engine uses the Disruptor: users of Engine.queues() may leave it out
    requires static com.lmax.disruptor;

    exports dev.fanout;
    exports dev.fanout.spi;
}
