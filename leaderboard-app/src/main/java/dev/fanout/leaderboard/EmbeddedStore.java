package dev.fanout.leaderboard;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default store: scores in a {@link RankedSet} in memory, every game in a {@link Journal}
 * that is replayed on start.
 *
 * <h2>Threads and idempotency</h2>
 * Safe from any thread. The first submission of a game id claims it in a concurrent map; a
 * racing repeat waits for that claim to finish, then reports {@link Applied#DUPLICATE} (or, if
 * the first failed, tries itself). A claimed game is written to the journal (group commit),
 * and only once it is durable is it added to the scores, under one lock, and acknowledged.
 * Reads take the same lock, so a read sees every game acknowledged before it started.
 *
 * <p>The game ids seen are kept in memory for the life of the process (one map entry each).
 */
final class EmbeddedStore implements LeaderboardStore {

    private static final System.Logger LOG = System.getLogger(EmbeddedStore.class.getName());
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Journal journal;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> games = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final RankedSet ranked = new RankedSet(0x5EED);
    private final HashMap<String, Long> halfPoints = new HashMap<>(); // guarded by lock
    private long version; // guarded by lock
    private volatile Runnable onChange = () -> { };
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private EmbeddedStore(Path journalPath, Journal.Recovery recovery) {
        long start = System.nanoTime();
        this.journal = Journal.open(journalPath, this::replay, recovery);
        LOG.log(Level.INFO, "journal {0}: replayed {1} games for {2} players in {3} ms; epoch {4}",
                journalPath, version, halfPoints.size(), (System.nanoTime() - start) / 1_000_000, journal.epoch());
    }

    /**
     * @param journalPath the journal file, created when missing
     * @return the store, with the journal replayed
     * @throws Journal.DamagedException when the journal is damaged other than by a torn tail
     */
    static EmbeddedStore open(Path journalPath) {
        return new EmbeddedStore(journalPath, Journal.Recovery.REFUSE);
    }

    /**
     * @param journalPath the journal file, created when missing
     * @param recovery    what to do when the journal is damaged other than by a torn tail
     * @return the store, with the journal replayed (and repaired, when asked)
     * @throws Journal.DamagedException when the journal is damaged and {@code recovery} refuses
     */
    static EmbeddedStore open(Path journalPath, Journal.Recovery recovery) {
        return new EmbeddedStore(journalPath, recovery);
    }

    private void replay(Game g) {
        if (games.putIfAbsent(g.gameId(), DONE) == null) {
            add(g);
        }
    }

    @Override
    public Applied apply(Game game) {
        Objects.requireNonNull(game, "game");
        while (true) {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> prior = games.putIfAbsent(game.gameId(), mine);
            if (prior != null) {
                if (awaitQuietly(prior)) {
                    return Applied.DUPLICATE;
                }
                continue; // the first attempt failed and released the id: try ourselves
            }
            try {
                journal.append(game).join(); // uninterruptible: the write settles either way
            } catch (RuntimeException e) {
                games.remove(game.gameId(), mine);
                mine.completeExceptionally(e);
                throw new StoreUnavailableException("journal " + journal.path() + ": cannot write", e);
            }
            lock.lock();
            try {
                add(game);
            } finally {
                lock.unlock();
            }
            games.replace(game.gameId(), mine, DONE);
            mine.complete(null);
            onChange.run();
            return Applied.APPLIED;
        }
    }

    private static boolean awaitQuietly(CompletableFuture<Void> f) {
        try {
            f.join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Adds a durable game to the scores; caller holds the lock (or is replaying before start). */
    private void add(Game g) {
        bump(g.player1(), g.result().halfPoints1());
        bump(g.player2(), g.result().halfPoints2());
        version++;
    }

    private void bump(String player, int delta) {
        byte[] utf8 = RankedSet.utf8(player);
        Long old = halfPoints.get(player);
        if (old != null) {
            if (delta == 0) {
                return;
            }
            ranked.remove(utf8, old);
        }
        long now = (old == null ? 0 : old) + delta;
        halfPoints.put(player, now);
        ranked.insert(player, utf8, now);
    }

    @Override
    public Board top(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        lock.lock();
        try {
            List<RankedSet.Entry> first = ranked.first(limit);
            List<Standing> out = new ArrayList<>(first.size());
            for (int i = 0; i < first.size(); i++) {
                RankedSet.Entry e = first.get(i);
                out.add(new Standing(i + 1, e.player(), e.halfPoints() / 2.0));
            }
            return new Board(journal.epoch(), version, out);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Standing> standing(String player) {
        lock.lock();
        try {
            Long h = halfPoints.get(player);
            if (h == null) {
                return Optional.empty();
            }
            return Optional.of(new Standing(ranked.rank(RankedSet.utf8(player), h) + 1L, player, h / 2.0));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    /** @return the journal's epoch: kept across restarts, new for a new or repaired journal */
    @Override
    public String epoch() {
        return journal.epoch();
    }

    /** The journal has its epoch from its first record: nothing to draw. */
    @Override
    public String startEpoch() {
        return journal.epoch();
    }

    @Override
    public void onChange(Runnable onChange) {
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    @Override
    public String describe() {
        return "memory (journal " + journal.path().toAbsolutePath() + ")";
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        journal.close();
        LOG.log(Level.INFO, "journal {0}: closed with {1} games, every acknowledged one on disk", journal.path(), version());
    }
}
