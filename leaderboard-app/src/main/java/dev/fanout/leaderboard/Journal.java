package dev.fanout.leaderboard;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The embedded store's append-only journal of games, with group commit.
 *
 * <h2>Format</h2>
 * A sequence of records, each {@code [int length][int CRC32C of the payload][payload]}, big
 * endian; the payload is a format byte ({@value #FORMAT}), the game id, server id, both player
 * ids (each as {@link DataOutputStream#writeUTF}) and the result code.
 *
 * <h2>Recovery</h2>
 * {@link #open} replays every intact record in order. The first record that is cut short, has
 * an impossible length or a wrong checksum ends the valid journal: the file is truncated there
 * with a warning that says how many bytes were dropped, and the store starts. A crash during a
 * write can only tear the last record, and that record was never acknowledged.
 *
 * <h2>Threads</h2>
 * {@link #append(Game)} is safe from any thread. One writer thread ({@code leaderboard-journal})
 * takes everything queued, writes it in one call, forces it to disk once (group commit) and
 * then completes the futures: a completed future means the record is durable. {@link #close()}
 * is idempotent; appends after it fail.
 */
final class Journal implements AutoCloseable {

    static final byte FORMAT = 1;
    static final int HEADER = 8;
    /** A record longer than this is taken as corruption: four ids of at most 64 KiB each and change. */
    static final int MAX_RECORD = 4 * 65_537 + 16;

    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final Object STOP = new Object();

    private record Pending(byte[] record, CompletableFuture<Void> done) {
    }

    private final Path path;
    private final FileChannel channel;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Set by the writer when the file could not be repaired after a failed write. */
    private volatile IOException broken;
    private long end; // writer thread only, after open

    private Journal(Path path, FileChannel channel, long end) {
        this.path = path;
        this.channel = channel;
        this.end = end;
        this.writer = Thread.ofPlatform().daemon().name("leaderboard-journal").unstarted(this::writeLoop);
    }

    /**
     * Opens (or creates) a journal, replays its intact records and truncates a torn tail.
     *
     * @param path   the file; missing parent directories are created
     * @param replay receives each intact game, in order, on the calling thread
     * @return the journal, ready for appends
     * @throws UncheckedIOException when the file cannot be opened at all
     */
    static Journal open(Path path, Consumer<Game> replay) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long valid;
            try {
                valid = replay(ch, path, replay);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            Journal j = new Journal(path, ch, valid);
            j.writer.start();
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("journal " + path + ": cannot open", e);
        }
    }

    private static long replay(FileChannel ch, Path path, Consumer<Game> replay) throws IOException {
        long size = ch.size();
        long pos = 0;
        int records = 0;
        String problem = null;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos < size) {
            if (size - pos < HEADER) {
                problem = "a record header cut short";
                break;
            }
            header.clear();
            readFully(ch, header, pos);
            int length = header.getInt(0);
            int crc = header.getInt(4);
            if (length <= 0 || length > MAX_RECORD) {
                problem = "an impossible record length " + length;
                break;
            }
            if (size - pos - HEADER < length) {
                problem = "a record cut short";
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(ch, payload, pos + HEADER);
            CRC32C c = new CRC32C();
            c.update(payload.array());
            if ((int) c.getValue() != crc) {
                problem = "a checksum mismatch";
                break;
            }
            Game game;
            try {
                game = decode(payload.array());
            } catch (IOException | IllegalArgumentException e) {
                problem = "an undecodable record (" + e.getMessage() + ")";
                break;
            }
            replay.accept(game);
            records++;
            pos += HEADER + length;
        }
        if (problem != null) {
            LOG.log(Level.WARNING, "journal {0}: {1} at byte {2}; truncating {3} trailing bytes"
                    + " (a write torn by a crash; that game was never acknowledged). {4} records kept.",
                    path, problem, pos, size - pos, records);
            ch.truncate(pos);
            ch.force(true);
        }
        ch.position(pos);
        return pos;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    static byte[] encode(Game g) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0); // length, patched below
            out.writeInt(0); // checksum, patched below
            out.writeByte(FORMAT);
            out.writeUTF(g.gameId());
            out.writeUTF(g.serverId());
            out.writeUTF(g.player1());
            out.writeUTF(g.player2());
            out.writeByte(g.result().code());
            out.flush();
            byte[] record = bytes.toByteArray();
            int length = record.length - HEADER;
            CRC32C c = new CRC32C();
            c.update(record, HEADER, length);
            ByteBuffer.wrap(record).putInt(0, length).putInt(4, (int) c.getValue());
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen on a byte array
        }
    }

    static Game decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("format " + format + " (expected: " + FORMAT + ")");
        }
        Game g = new Game(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), Game.Result.of(in.readByte()));
        if (in.available() != 0) {
            throw new IOException(in.available() + " stray bytes");
        }
        return g;
    }

    /**
     * Queues a game; the future completes once it is on disk, or fails when it could not be
     * written (then nothing of it counts: the journal is rolled back to the previous record).
     *
     * @param game the game
     * @return completes when durable
     */
    CompletableFuture<Void> append(Game game) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IOException("journal " + path + " is closed"));
            return done;
        }
        IOException b = broken;
        if (b != null) {
            done.completeExceptionally(b);
            return done;
        }
        queue.add(new Pending(encode(game), done));
        if (closed) { // raced with close: the writer may be gone, so make sure the future ends
            done.completeExceptionally(new IOException("journal " + path + " is closed"));
        }
        return done;
    }

    private void writeLoop() {
        List<Object> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                stop = true;
            }
            queue.drainTo(batch);
            List<Pending> pending = new ArrayList<>(batch.size());
            for (Object o : batch) {
                if (o == STOP) {
                    stop = true;
                } else {
                    pending.add((Pending) o);
                }
            }
            batch.clear();
            if (!pending.isEmpty()) {
                write(pending);
            }
        }
        // fail whatever is left after the stop marker
        for (Object o : queue.toArray()) {
            if (o instanceof Pending p) {
                p.done().completeExceptionally(new IOException("journal " + path + " is closed"));
            }
        }
    }

    private void write(List<Pending> pending) {
        IOException b = broken;
        if (b == null) {
            try {
                int total = 0;
                for (Pending p : pending) {
                    total += p.record().length;
                }
                ByteBuffer buf = ByteBuffer.allocate(total);
                for (Pending p : pending) {
                    buf.put(p.record());
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf, end + buf.position());
                }
                channel.force(false);
                end += total;
                for (Pending p : pending) {
                    p.done().complete(null);
                }
                return;
            } catch (IOException e) {
                b = e;
                rollBack(e);
            }
        }
        for (Pending p : pending) {
            p.done().completeExceptionally(b);
        }
    }

    /** After a failed write, cut the file back to the last good record so later ones stay readable. */
    private void rollBack(IOException cause) {
        try {
            channel.truncate(end);
            LOG.log(Level.WARNING, "journal " + path + ": write failed; rolled back to byte " + end, cause);
        } catch (IOException e) {
            e.addSuppressed(cause);
            broken = e;
            LOG.log(Level.ERROR, "journal " + path + ": write failed and the file could not be repaired;"
                    + " refusing further games", e);
        }
    }

    /** @return the journal's file */
    Path path() {
        return path;
    }

    /** Stops the writer after it wrote what was queued, then closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "journal " + path + ": close failed", e);
        }
    }
}
