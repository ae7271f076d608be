package dev.fanout.leaderboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Hub;
import dev.fanout.sse.ConnectionGuard;
import dev.fanout.sse.ConnectionLimits;
import dev.fanout.sse.SseHandler;
import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.NotFoundException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The leaderboard application: store, change feed, snapshot stream, stream endpoint, metrics
 * and HTTP server, wired together and started by {@link #start(Config)}.
 *
 * <p>{@code GET /stream-leaderboard} is fanout-sse's {@link SseHandler} on the change feed's
 * {@link SnapshotStream}: each connection with the configured strategy (latest-only by
 * default), the current snapshot first, then every change. With the embedded store the
 * snapshots are this process's ({@link LocalSnapshots}), and {@code id:} is the journal's
 * epoch and the snapshot version; with Redis they are one sequence for every instance
 * ({@link ClusterSnapshots}), and {@code id:} is the snapshot's position in it. Either way a
 * client reconnecting with the id it shows gets no duplicate and never an older board (on any
 * instance, with Redis), and one holding an id of another epoch gets a reset and the current
 * board. Then heartbeats, stall eviction, and admission control: at most {@code limits.streams}
 * streams, kept below the listener's {@code max-tcp-connections}, which itself stays below the
 * process's open-file limit ({@link ConnectionLimits}) so a connection storm gets 503s and
 * refused connections, never a listener that stopped accepting. {@code GET /spectators} reads the
 * handler's open-stream count for the live page ({@link Spectators}).
 *
 * <p>Thread-safe. {@link #close()} stops everything in dependency order (feed, streams, hub,
 * server, store) and is idempotent.
 */
public final class LeaderboardApp implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeaderboardApp.class.getName());
    /** The listener's connection limit when the open-file limit is unknown. */
    private static final int DEFAULT_TCP_CONNECTIONS = 10_000;

    private final LeaderboardConfig config;
    private final LeaderboardStore store;
    private final SnapshotStream snapshots;
    private final ChangeFeed feed;
    private final SseHandler<Snapshot> stream;
    private final int maxTcpConnections;
    private final AppMetrics metrics;
    private final ConnectionGuard guard;
    private final WebServer server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Helidon's per-request parse warnings, rate-limited (held here so the filters stay installed). */
    private static final java.util.logging.Logger[] QUIET = QuietLog.install();

    private LeaderboardApp(Config root) {
        this.config = LeaderboardConfig.from(root.get("leaderboard"));
        ObjectMapper mapper = Json.mapper();
        this.store = config.embedded()
                ? EmbeddedStore.open(config.journal(),
                        config.journalRepair() ? Journal.Recovery.REPAIR : Journal.Recovery.REFUSE)
                : RedisStore.connect(config.store(), config.prefix(), config.redisTimeout());
        SnapshotStream h = null;
        ChangeFeed f = null;
        AppMetrics m = null;
        ConnectionGuard g = null;
        try {
            this.snapshots = h = store instanceof RedisStore redis
                    ? new ClusterSnapshots(redis, config.strategy(), mapper)
                    : new LocalSnapshots(config.strategy());
            this.feed = f = new ChangeFeed(store, snapshots, config.topK(), config.rate(),
                    config.embedded() ? Duration.ZERO : config.resync(), mapper);
            Config serverConfig = root.get("server");
            this.maxTcpConnections = serverConfig.get("max-tcp-connections").asInt()
                    .orElseGet(() -> ConnectionLimits.maxTcpConnections(DEFAULT_TCP_CONNECTIONS));
            this.stream = snapshots.handler() // the hub, the events and their ids
                    .overflow(config.strategy())
                    .heartbeat(config.heartbeat())
                    .stallTimeout(config.stallTimeout())
                    .maxConnections(config.streamLimit(maxTcpConnections))
                    .build();
            this.guard = g = ConnectionGuard.builder()
                    .headerTimeout(config.headerTimeout())
                    .bodyTimeout(config.bodyTimeout())
                    .idleTimeout(config.idleTimeout())
                    .share(maxTcpConnections, config.reserve(maxTcpConnections))
                    .build();
            this.metrics = m = new AppMetrics(snapshots::hub, snapshots, feed, stream, guard);
            LeaderboardService service = new LeaderboardService(config, store, feed, metrics, mapper);
            feed.start();
            WebServerConfig.Builder builder = WebServer.builder()
                    .config(serverConfig)
                    .maxTcpConnections(maxTcpConnections)
                    .shutdownHook(false) // close() stops it, in order; Main's hook calls close()
                    .featuresDiscoverServices(false)
                    .directHandlers(JsonErrors.create(mapper))
                    .routing(r -> r.register(service)
                            .get("/stream-leaderboard", stream)
                            .get("/spectators", new Spectators(stream::openConnections, mapper))
                            .get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, AppMetrics.CONTENT_TYPE)
                                    .send(metrics.scrape()))
                            .any(service::unrouted)
                            .error(NotFoundException.class, service::notFound)
                            .error(ClusterSnapshots.NotCaughtUp.class, service::notCaughtUp));
            this.server = guard.install(builder).build().start();
        } catch (RuntimeException e) {
            // undo what started, in reverse order, so a failed start leaks no thread or meter
            if (f != null) {
                f.close();
            }
            if (h != null) {
                h.close();
            }
            if (m != null) {
                m.close();
            }
            if (g != null) {
                g.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * Builds and starts the app.
     *
     * @param root the root configuration: {@code server} (Helidon's) and {@code leaderboard}
     * @return the running app
     * @throws IllegalArgumentException for an invalid configuration
     * @throws IllegalStateException    when the store cannot be opened
     */
    public static LeaderboardApp start(Config root) {
        return new LeaderboardApp(Objects.requireNonNull(root, "root"));
    }

    /** @return the port the server listens on (useful with port 0) */
    public int port() {
        return server.port();
    }

    /** @return the one-line description of where it listens and which store it uses */
    public String describe() {
        return "leaderboard listening on http://" + server.prototype().host() + ":" + port()
                + " with store " + store.describe();
    }

    /**
     * @return one line with the limits in force, as configuration keys: the listener's, the
     *         streams', the API's, the timeouts and the stream settings (the token as set or not)
     */
    public String limits() {
        return "limits in force: server.max-tcp-connections=" + maxTcpConnections
                + " limits.streams=" + config.streamLimit(maxTcpConnections)
                + " limits.reserve=" + config.reserve(maxTcpConnections)
                + " limits.body=" + config.maxBodyBytes()
                + " limits.id=" + config.maxIdLength()
                + " limits.limit=" + config.maxLimit()
                + " timeouts.header=" + config.headerTimeout()
                + " timeouts.body=" + config.bodyTimeout()
                + " timeouts.idle=" + config.idleTimeout()
                + " stall-timeout=" + config.stallTimeout()
                + " heartbeat=" + config.heartbeat()
                + " topk=" + config.topK()
                + " rate=" + config.rate()
                + " strategy=" + config.strategy().alias()
                + " token=" + (config.token().isPresent() ? "set" : "none");
    }

    LeaderboardConfig config() {
        return config;
    }

    LeaderboardStore store() {
        return store;
    }

    /** @return the hub the streams read now (with Redis, the current epoch's) */
    Hub<Snapshot> hub() {
        return snapshots.hub();
    }

    SnapshotStream snapshots() {
        return snapshots;
    }

    ChangeFeed feed() {
        return feed;
    }

    SseHandler<Snapshot> stream() {
        return stream;
    }

    /** @return the guard of the listener's connections */
    ConnectionGuard guard() {
        return guard;
    }

    /** @return the listener's {@code max-tcp-connections} */
    int maxTcpConnections() {
        return maxTcpConnections;
    }

    /**
     * Stops the feed, ends the streams (each client sees its response end; new streams get 503),
     * closes the snapshot stream, stops the server (no new connection; requests under way are answered),
     * then closes the store: the embedded store's journal has every acknowledged game on disk.
     * Logs a line for the streams, the listener and the end.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int open = stream.openConnections();
        int port = port();
        feed.close();
        stream.close();
        LOG.log(System.Logger.Level.INFO, "streams ended: {0} were open; new ones get 503", open);
        snapshots.close();
        try {
            server.stop();
            LOG.log(System.Logger.Level.INFO, "stopped listening on http://{0}:{1,number,#}", server.prototype().host(), port);
        } finally {
            guard.close();
            metrics.close();
            store.close();
            LOG.log(System.Logger.Level.INFO, "leaderboard stopped");
        }
    }
}
