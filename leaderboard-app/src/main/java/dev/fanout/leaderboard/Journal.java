package dev.fanout.leaderboard;

import dev.fanout.Position;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * endian. The payload starts with a format byte that says what it holds:
 * <ul>
 *   <li>{@value #FORMAT}, a game: the game id, server id, both player ids (each as
 *       {@link DataOutputStream#writeUTF}) and the result code;</li>
 *   <li>{@value #EPOCH_FORMAT}, the journal's epoch (as {@code writeUTF}, 1 to 32 of
 *       {@code [0-9A-Za-z_]}): the first record of every journal this version creates or
 *       repairs, and nowhere else.</li>
 * </ul>
 *
 * <h2>Epoch</h2>
 * The store numbers its games by their place in the journal, so those numbers mean something
 * only for one journal: {@link #epoch()} names it. A new journal gets a random epoch in its
 * first record, and keeps it across restarts. A repair writes a new journal with a new epoch,
 * because the games after a dropped record are renumbered. A journal written before epoch
 * records existed (its first record is a game) keeps working with an epoch derived from its
 * first record, the same at every start. The epoch record is framed and checked like any
 * other: damage to it is damage, and a torn one (a crash while a new journal was created,
 * before any game) is cut like any torn tail and the journal starts anew.
 *
 * <h2>Recovery</h2>
 * {@link #open} replays every record in order. A game is acknowledged only after its record is
 * on disk, so the only damage a crash can leave is a <em>torn tail</em>: the last record cut
 * short (its header incomplete, or fewer payload bytes than its length says, and those bytes do
 * not pass its checksum). A torn tail is cut off with a warning, and the store starts.
 *
 * <p>Any other damage (a checksum mismatch in a complete record, an impossible length, a
 * payload that does not decode, a format byte this version does not know, an epoch record
 * other than the first) may have hit an
 * acknowledged game, so {@link #open} refuses to start: it throws {@link DamagedException},
 * whose message names the file, the byte offset and the record number, and leaves the file
 * exactly as it was. The way out is an explicit repair ({@link Recovery#REPAIR}): the damaged
 * file is kept aside as {@code <name>.damaged-<time>}, a new journal is written with every record
 * that still verifies (after a damaged record the scan resumes at the next position where a
 * whole record verifies), and a warning lists each dropped byte range.
 *
 * <h2>Threads</h2>
 * {@link #append(Game)} is safe from any thread. One writer thread ({@code leaderboard-journal})
 * takes everything queued, writes it in one call, forces it to disk once (group commit) and
 * then completes the futures: a completed future means the record is durable. {@link #close()}
 * is idempotent; appends after it fail.
 */
final class Journal implements AutoCloseable {

    static final byte FORMAT = 1;
    /** The format byte of the epoch record: an older version refuses such a journal as "newer". */
    static final byte EPOCH_FORMAT = 2;
    static final int HEADER = 8;
    /** A record longer than this is taken as corruption: four ids of at most 64 KiB each and change. */
    static final int MAX_RECORD = 4 * 65_537 + 16;

    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final Object STOP = new Object();

    /** What {@link #open} does with damage other than a torn tail. */
    enum Recovery {
        /** Refuse to start: throw {@link DamagedException} and leave the file untouched (the default). */
        REFUSE,
        /** Keep the damaged file aside, keep every record that verifies, report what was dropped. */
        REPAIR
    }

    /**
     * The journal is damaged in a way a crash cannot explain; the file was not changed. The
     * message names the file, the offset and the record, and says how to repair.
     */
    static final class DamagedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final transient Path path;
        private final long offset;
        private final int record;

        DamagedException(Path path, long offset, int record, String message) {
            super(message);
            this.path = path;
            this.offset = offset;
            this.record = record;
        }

        /** @return the journal file */
        Path path() {
            return path;
        }

        /** @return the byte offset of the damaged record */
        long offset() {
            return offset;
        }

        /** @return the damaged record's number, 1 for the first record */
        int record() {
            return record;
        }
    }

    private record Pending(byte[] record, CompletableFuture<Void> done) {
    }

    /** What a replay found: the epoch record, or the first record of a journal without one. */
    private static final class Head {
        String epoch;
        long firstEnd;
    }

    /** What a repair keeps and drops. */
    private static final class Repair {
        /** Byte ranges {@code [start, end)} of the records kept, in order. */
        final List<long[]> kept = new ArrayList<>();
        final List<String> dropped = new ArrayList<>();
        long droppedBytes;
        int records;
    }

    private final Path path;
    private final FileChannel channel;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Set by the writer when the file could not be repaired after a failed write. */
    private volatile IOException broken;
    private long end; // writer thread only, after open
    private final String epoch;

    private Journal(Path path, FileChannel channel, long end, String epoch) {
        this.path = path;
        this.channel = channel;
        this.end = end;
        this.epoch = epoch;
        this.writer = Thread.ofPlatform().daemon().name("leaderboard-journal").unstarted(this::writeLoop);
    }

    /**
     * Opens (or creates) a journal, replays it and cuts a torn tail; refuses any other damage.
     *
     * @param path   the file; missing parent directories are created
     * @param replay receives each intact game, in order, on the calling thread
     * @return the journal, ready for appends
     * @throws DamagedException     when the journal is damaged other than by a torn tail
     * @throws UncheckedIOException when the file cannot be opened at all
     */
    static Journal open(Path path, Consumer<Game> replay) {
        return open(path, replay, Recovery.REFUSE);
    }

    /**
     * Opens (or creates) a journal, replays it and cuts a torn tail; other damage is refused or
     * repaired as {@code recovery} says.
     *
     * @param path     the file; missing parent directories are created
     * @param replay   receives each kept game, in order, on the calling thread
     * @param recovery what to do with damage other than a torn tail
     * @return the journal, ready for appends
     * @throws DamagedException     when the journal is damaged and {@code recovery} is
     *                              {@link Recovery#REFUSE}
     * @throws UncheckedIOException when the file cannot be opened, read or repaired
     */
    static Journal open(Path path, Consumer<Game> replay, Recovery recovery) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long valid;
            String epoch;
            try {
                Repair repair = recovery == Recovery.REPAIR ? new Repair() : null;
                Head head = new Head();
                valid = replay(ch, path, replay, repair, head);
                if (valid < 0) { // repaired: write the kept records to a new file and open that
                    ch.close();
                    epoch = Epochs.random(); // the games after a dropped record have new numbers
                    long size = repair(path, repair, encodeEpoch(epoch));
                    ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    valid = size;
                } else if (valid == 0) { // a new journal (or one whose first record was torn)
                    epoch = Epochs.random();
                    byte[] record = encodeEpoch(epoch);
                    ByteBuffer buf = ByteBuffer.wrap(record);
                    while (buf.hasRemaining()) {
                        ch.write(buf, buf.position());
                    }
                    ch.force(true);
                    valid = record.length;
                } else if (head.epoch != null) {
                    epoch = head.epoch;
                } else { // written before epoch records: derived from its first record, so stable
                    epoch = derivedEpoch(ch, head.firstEnd);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            ch.position(valid);
            Journal j = new Journal(path, ch, valid, epoch);
            j.writer.start();
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("journal " + path + ": cannot open", e);
        }
    }

    /** The verdict on the bytes at one position: a game, an epoch, a torn tail or damage. */
    private record Check(int length, String problem, boolean torn, Game game, String epoch) {
        static Check ok(int length, Object decoded) {
            return decoded instanceof Game g ? new Check(length, null, false, g, null)
                    : new Check(length, null, false, null, (String) decoded);
        }

        static Check damaged(int length, String problem) {
            return new Check(length, problem, false, null, null);
        }

        static Check torn(String problem) {
            return new Check(0, problem, true, null, null);
        }

        /** An epoch record anywhere but first is damage: a journal has one epoch, at its head. */
        Check at(long pos) {
            return epoch != null && pos > 0
                    ? damaged(length, "it is an epoch record, which only the first record may be") : this;
        }

        boolean good() {
            return problem == null;
        }
    }

    /** Judges the record at {@code pos}: whole and valid, a torn tail, or damaged. */
    private static Check check(FileChannel ch, long pos, long size) throws IOException {
        if (size - pos < HEADER) {
            return Check.torn("its header is cut short (" + (size - pos) + " of " + HEADER + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(ch, header, pos);
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || length > MAX_RECORD) {
            return Check.damaged(0, "its length " + length + " is impossible (expected: 1 to " + MAX_RECORD + ")");
        }
        long have = size - pos - HEADER;
        if (have < length) {
            // A crash during a write leaves a prefix of the last record: a header whose length
            // runs past the end, then part of its payload and nothing else. If some of the bytes
            // present are a whole payload (they pass the checksum), or a whole record starts in
            // them, the length field is damaged instead: a record that is whole, and maybe more.
            byte[] rest = new byte[(int) have];
            readFully(ch, ByteBuffer.wrap(rest), pos + HEADER);
            CRC32C prefix = new CRC32C();
            for (int n = 0; n < rest.length; n++) {
                prefix.update(rest[n]);
                if ((int) prefix.getValue() == crc) {
                    return Check.damaged(0, "its length " + length + " runs past the end of the file, but its first "
                            + (n + 1) + " payload bytes pass its checksum: the length field is damaged");
                }
            }
            for (int at = 0; at < rest.length; at++) {
                if (wholeRecordAt(rest, at) > 0) {
                    return Check.damaged(0, "its length " + length + " runs past the end of the file, but a whole"
                            + " record starts at byte " + (pos + HEADER + at) + ": the length field is damaged");
                }
            }
            return Check.torn("it is cut short (" + have + " of " + length + " payload bytes)");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, pos + HEADER);
        int actual = crc32c(payload.array());
        if (actual != crc) {
            return Check.damaged(length, String.format("its checksum does not match (stored %08x, computed %08x)",
                    crc, actual));
        }
        byte format = payload.get(0);
        if (format != FORMAT && format != EPOCH_FORMAT) {
            return Check.damaged(length, "its format byte is " + format + ", and this version reads formats "
                    + FORMAT + " (a game) and " + EPOCH_FORMAT + " (the epoch) only (a journal written by a newer"
                    + " version?)");
        }
        try {
            return Check.ok(length, decodeAny(payload.array())).at(pos);
        } catch (IOException | IllegalArgumentException e) {
            return Check.damaged(length, "its payload passes the checksum but does not decode (" + e.getMessage() + ")");
        }
    }

    private static int crc32c(byte[] bytes) {
        return crc32c(bytes, 0, bytes.length);
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }

    /** @return the length of the whole, verifying record at {@code at} in {@code buf}, or -1 */
    private static int wholeRecordAt(byte[] buf, int at) {
        if (buf.length - at < HEADER + 1) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(buf);
        int length = b.getInt(at);
        if (length <= 0 || length > buf.length - at - HEADER
                || crc32c(buf, at + HEADER, length) != b.getInt(at + 4)) {
            return -1;
        }
        try {
            decodeAny(java.util.Arrays.copyOfRange(buf, at + HEADER, at + HEADER + length));
            return length;
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Replays the journal and cuts a torn tail.
     *
     * @param repair null to refuse damage; otherwise collects what a repair keeps
     * @return the end of the valid journal, or -1 when it must be rewritten from {@code repair}
     */
    private static long replay(FileChannel ch, Path path, Consumer<Game> replay, Repair repair, Head head)
            throws IOException {
        long size = ch.size();
        long pos = 0;
        int records = 0;
        while (pos < size) {
            Check c = check(ch, pos, size);
            if (c.good()) {
                if (c.epoch() != null) {
                    head.epoch = c.epoch(); // the first record (check refuses one anywhere else)
                } else {
                    replay.accept(c.game());
                }
                if (records == 0) {
                    head.firstEnd = pos + HEADER + c.length();
                }
                records++;
                if (repair != null && c.game() != null) { // a repaired journal gets its own epoch record
                    repair.kept.add(new long[] {pos, pos + HEADER + c.length()});
                }
                pos += HEADER + c.length();
                continue;
            }
            if (c.torn()) {
                LOG.log(Level.WARNING, "journal {0}: the last record, number {1} at byte {2}, is a torn write:"
                        + " {3}. A crash during a write leaves this, and that game was never acknowledged;"
                        + " cutting the {4} bytes from byte {2}. {5} records kept.",
                        path, records + 1, pos, c.problem(), size - pos, records);
                ch.truncate(pos);
                ch.force(true);
                return pos;
            }
            if (repair == null) {
                throw new DamagedException(path, pos, records + 1, "journal " + path.toAbsolutePath() + ": record "
                        + (records + 1) + " at byte " + pos + " is damaged: " + c.problem() + ". "
                        + (size - pos) + " bytes from there to the end of the file (" + size + " bytes) cannot be"
                        + " trusted, and a crash cannot explain this damage, so acknowledged games may be in them."
                        + " The file was not changed. To start anyway, keeping every record that still verifies"
                        + " and the damaged file aside, set leaderboard.journal-repair=true"
                        + " (--leaderboard.journal-repair or LEADERBOARD_JOURNAL_REPAIR=true) for one start.");
            }
            repair.records = repair.kept.size(); // the games so far
            repairScan(ch, replay, repair, pos, c);
            return -1;
        }
        return pos;
    }

    /** Repair: from the first damaged record on, keeps every record that verifies. */
    private static void repairScan(FileChannel ch, Consumer<Game> replay, Repair repair, long pos, Check first)
            throws IOException {
        long size = ch.size();
        Check c = first;
        while (pos < size) {
            if (c == null) {
                c = check(ch, pos, size);
            }
            if (c.good()) {
                if (c.game() != null) { // the old epoch record is not kept: the repaired journal has its own
                    replay.accept(c.game());
                    repair.records++;
                    repair.kept.add(new long[] {pos, pos + HEADER + c.length()});
                }
                pos += HEADER + c.length();
                c = null;
                continue;
            }
            if (c.torn()) {
                repair.dropped.add("bytes " + pos + " to " + size + ", a torn last record (" + c.problem() + ")");
                repair.droppedBytes += size - pos;
                return;
            }
            // skip to the next position where a whole record verifies
            long from = pos;
            Check found = null;
            long next = from + 1;
            for (; next < size; next++) {
                Check n = check(ch, next, size);
                if (n.good()) {
                    found = n;
                    break;
                }
            }
            repair.dropped.add("bytes " + from + " to " + next + " (" + (next - from) + " bytes, from a record where "
                    + c.problem() + ")");
            repair.droppedBytes += next - from;
            pos = next;
            c = found;
        }
    }

    /**
     * Writes the kept records to a new file, moves the damaged one aside and the new one in place.
     *
     * @return the new journal's size
     */
    private static long repair(Path path, Repair repair, byte[] epochRecord) throws IOException {
        Path damaged = path.resolveSibling(path.getFileName() + ".damaged-" + DateTimeFormatter
                .ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC).format(Instant.now()));
        Path tmp = path.resolveSibling(path.getFileName() + ".repairing");
        long total = epochRecord.length;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.wrap(epochRecord);
            while (head.hasRemaining()) {
                out.write(head);
            }
            for (long[] r : repair.kept) {
                long at = r[0];
                while (at < r[1]) {
                    at += in.transferTo(at, r[1] - at, out);
                }
                total += r[1] - r[0];
            }
            out.force(true);
        }
        Files.move(path, damaged); // fails rather than overwrite an earlier one
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        LOG.log(Level.WARNING, "journal {0}: repaired. Kept {1} games ({2} bytes with the new epoch record);"
                + " dropped {3} bytes: {4}. The damaged file is kept as {5}. The repaired journal has a new"
                + " epoch: a stream client of the old one gets a reset and the repaired board.", path, repair.records, total, repair.droppedBytes,
                String.join("; ", repair.dropped), damaged);
        return total;
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
            return seal(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen on a byte array
        }
    }

    /**
     * @param epoch 1 to 32 of {@code [0-9A-Za-z_]}
     * @return the epoch record
     */
    static byte[] encodeEpoch(String epoch) {
        checkEpoch(epoch);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0); // length, patched below
            out.writeInt(0); // checksum, patched below
            out.writeByte(EPOCH_FORMAT);
            out.writeUTF(epoch);
            out.flush();
            return seal(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen on a byte array
        }
    }

    /** @throws IllegalArgumentException unless 1 to 32 of {@code [0-9A-Za-z_]} */
    private static String checkEpoch(String epoch) {
        return Position.of(epoch, 0).epoch();
    }

    /**
     * The epoch of a journal written before epoch records: 16 hex digits of the SHA-256 of its
     * first record, which never changes (appends go after it, a torn tail is never the first
     * record of a journal that has more, and a repair writes a new journal with its own epoch).
     */
    private static String derivedEpoch(FileChannel ch, long firstEnd) throws IOException {
        ByteBuffer first = ByteBuffer.allocate((int) firstEnd);
        readFully(ch, first, 0);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(first.array());
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e); // every JDK has it
        }
    }

    /** Fills in the length and checksum of a record whose payload follows its header. */
    private static byte[] seal(byte[] record) {
        int length = record.length - HEADER;
        CRC32C c = new CRC32C();
        c.update(record, HEADER, length);
        ByteBuffer.wrap(record).putInt(0, length).putInt(4, (int) c.getValue());
        return record;
    }

    /** @return the game or the epoch (a String) a payload holds */
    private static Object decodeAny(byte[] payload) throws IOException {
        if (payload.length > 0 && payload[0] == EPOCH_FORMAT) {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload, 1, payload.length - 1));
            String epoch = in.readUTF();
            if (in.available() != 0) {
                throw new IOException(in.available() + " stray bytes");
            }
            return checkEpoch(epoch);
        }
        return decode(payload);
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

    /** @return the epoch of this journal's game numbers; see the class comment */
    String epoch() {
        return epoch;
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
