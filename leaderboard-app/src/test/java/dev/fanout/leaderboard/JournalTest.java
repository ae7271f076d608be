package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    private static List<Game> games(int n) {
        List<Game> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Game("game-" + i, "srv-" + (i % 3), "p" + i, "q" + (i * 7 % 5) + "é", Game.Result.of(i % 3)));
        }
        return out;
    }

    private static String epochOf(Path file) {
        try (Journal j = Journal.open(file, g -> { })) {
            return j.epoch();
        }
    }

    private static List<Game> replay(Path file) {
        List<Game> seen = new ArrayList<>();
        Journal.open(file, seen::add).close();
        return seen;
    }

    @Test
    void appendedGames_areReplayedInOrder() {
        Path file = dir.resolve("j");
        List<Game> games = games(50);
        try (Journal j = Journal.open(file, g -> { })) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (Game g : games) {
                acks.add(j.append(g));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        }
        assertEquals(games, replay(file));
    }

    /**
     * Cuts the journal at every byte offset: every record wholly before the cut survives, the
     * torn one is dropped and truncated away, the store starts, and appends after the repair
     * are replayed on the next start.
     */
    @Test
    void truncatedAtAnyOffset_keepsEveryWholeRecord_andStillStarts() throws IOException {
        Path file = dir.resolve("full");
        List<Game> games = games(12);
        List<Long> ends = new ArrayList<>(); // of the epoch record, then of each game
        long end;
        String epoch;
        try (Journal j = Journal.open(file, g -> { })) {
            epoch = j.epoch();
            end = Files.size(file);
            ends.add(end);
            for (Game g : games) {
                j.append(g).join();
                end += Journal.encode(g).length;
                ends.add(end);
            }
        }
        byte[] full = Files.readAllBytes(file);
        assertEquals(end, full.length);
        Game extra = new Game("after-repair", "s", "x", "y", Game.Result.DRAW);
        for (int cut = 0; cut <= full.length; cut++) {
            Path torn = dir.resolve("torn-" + cut);
            Files.write(torn, java.util.Arrays.copyOf(full, cut));
            int whole = 0;
            while (whole < ends.size() && ends.get(whole) <= cut) {
                whole++;
            }
            int kept = Math.max(0, whole - 1);
            long boundary = whole == 0 ? 0 : ends.get(whole - 1);
            List<Game> recovered = new ArrayList<>();
            try (Journal j = Journal.open(torn, recovered::add)) {
                assertEquals(games.subList(0, kept), recovered, "cut at " + cut);
                if (whole == 0) { // the epoch record itself was torn: no game was ever written, a new journal
                    assertNotEquals(epoch, j.epoch(), "cut at " + cut);
                    assertEquals(ends.getFirst(), Files.size(torn), "a new epoch record only, cut at " + cut);
                } else {
                    assertEquals(epoch, j.epoch(), "cut at " + cut);
                    assertEquals(boundary, Files.size(torn), "truncated to the last whole record, cut at " + cut);
                }
                j.append(extra).join();
            }
            List<Game> expected = new ArrayList<>(games.subList(0, kept));
            expected.add(extra);
            assertEquals(expected, replay(torn), "after repair, cut at " + cut);
            Files.delete(torn);
        }
    }

    /**
     * Writes {@code games} to a journal and returns its bytes and each record's start and end:
     * the epoch record's first, then each game's.
     */
    private byte[] journalOf(Path file, List<Game> games, List<long[]> records) throws IOException {
        long at;
        try (Journal j = Journal.open(file, g -> { })) {
            at = Files.size(file);
            records.add(new long[] {0, at});
            for (Game g : games) {
                j.append(g).join();
                long len = Journal.encode(g).length;
                records.add(new long[] {at, at + len});
                at += len;
            }
        }
        return Files.readAllBytes(file);
    }

    private static int recordContaining(List<long[]> records, long offset) {
        for (int i = 0; i < records.size(); i++) {
            if (offset >= records.get(i)[0] && offset < records.get(i)[1]) {
                return i;
            }
        }
        throw new AssertionError("no record holds byte " + offset);
    }

    /**
     * A changed byte anywhere in a complete journal (length, checksum or payload, of the first,
     * a middle or the last record) is damage, never a torn tail: the start is refused with the
     * record that holds the byte, and the file is not changed by a single byte.
     */
    @Test
    void damageAtEveryOffset_refusesToStart_namingTheRecord_andLeavesTheFileUntouched() throws IOException {
        List<long[]> records = new ArrayList<>();
        byte[] full = journalOf(dir.resolve("full"), games(6), records);
        Path file = dir.resolve("damaged");
        for (int offset = 0; offset < full.length; offset++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] damaged = full.clone();
                damaged[offset] ^= (byte) mask;
                Files.write(file, damaged);
                int at = offset;
                Journal.DamagedException e = assertThrows(Journal.DamagedException.class,
                        () -> Journal.open(file, g -> { }).close(), () -> "byte " + at + " ^ " + mask);
                int record = recordContaining(records, offset);
                assertEquals(record + 1, e.record(), () -> "record, byte " + at + " ^ " + mask + ": " + e.getMessage());
                assertEquals(records.get(record)[0], e.offset(), () -> "offset, byte " + at + " ^ " + mask);
                assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
                assertTrue(e.getMessage().contains("record " + (record + 1) + " at byte " + records.get(record)[0]),
                        e.getMessage());
                assertArrayEquals(damaged, Files.readAllBytes(file), () -> "file changed, byte " + at + " ^ " + mask);
            }
        }
    }

    /**
     * Damage before a torn tail is still damage: a journal cut at every offset, with a byte
     * changed at every offset of the records wholly before the cut, is refused and unchanged;
     * with the byte changed inside the torn record only, the torn record is cut as usual.
     */
    @Test
    void damageBeforeATornTail_isRefused_damageInsideIt_isCut() throws IOException {
        List<long[]> records = new ArrayList<>();
        byte[] full = journalOf(dir.resolve("full"), games(3), records);
        Path file = dir.resolve("both");
        for (int cut = 1; cut < full.length; cut++) {
            int whole = 0;
            while (whole < records.size() && records.get(whole)[1] <= cut) {
                whole++;
            }
            long boundary = whole == 0 ? 0 : records.get(whole - 1)[1];
            for (int offset = 0; offset < cut; offset++) {
                byte[] damaged = java.util.Arrays.copyOf(full, cut);
                damaged[offset] ^= 0x01;
                Files.write(file, damaged);
                int c = cut;
                int at = offset;
                if (offset < boundary) {
                    Journal.DamagedException e = assertThrows(Journal.DamagedException.class,
                            () -> Journal.open(file, g -> { }).close(), () -> "cut " + c + ", byte " + at);
                    assertEquals(recordContaining(records, offset) + 1, e.record(), e.getMessage());
                    assertArrayEquals(damaged, Files.readAllBytes(file), () -> "file changed, cut " + c + ", byte " + at);
                } else if (offset >= boundary + Journal.HEADER || cut < boundary + Journal.HEADER) {
                    // the payload (or a partial header) of the torn record: still a torn tail
                    List<Game> seen = new ArrayList<>();
                    Journal.open(file, seen::add).close();
                    assertEquals(Math.max(0, whole - 1), seen.size(), () -> "cut " + c + ", byte " + at);
                    // a torn epoch record leaves an empty journal, which gets a new one
                    assertEquals(whole == 0 ? records.getFirst()[1] : boundary, Files.size(file),
                            () -> "cut " + c + ", byte " + at);
                }
                // a changed length field of the torn record may look whole and damaged: either
                // verdict is safe there, since nothing after it was ever acknowledged
            }
        }
    }

    @Test
    void garbageAfterTheLastRecord_isDamage_notATornTail() throws IOException {
        Path file = dir.resolve("garbage");
        List<Game> games = games(5);
        try (Journal j = Journal.open(file, g -> { })) {
            games.forEach(g -> j.append(g).join());
        }
        long good = Files.size(file);
        byte[] noise = new byte[37];
        new Random(7).nextBytes(noise);
        noise[0] = 0x7F; // an impossible length
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(noise));
        }
        Journal.DamagedException e = assertThrows(Journal.DamagedException.class, () -> replay(file));
        assertEquals(7, e.record(), "the epoch record and five games before it");
        assertEquals(good, e.offset());
        assertEquals(good + noise.length, Files.size(file));
    }

    @Test
    void aRecordFromANewerVersion_isRefused_withThatReason() throws IOException {
        Path file = dir.resolve("newer");
        List<Game> games = games(3);
        try (Journal j = Journal.open(file, g -> { })) {
            games.forEach(g -> j.append(g).join());
        }
        byte[] newer = Journal.encode(new Game("n", "s", "a", "b", Game.Result.DRAW));
        newer[Journal.HEADER] = 3; // format byte, then a checksum that matches it
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(newer, Journal.HEADER, newer.length - Journal.HEADER);
        java.nio.ByteBuffer.wrap(newer).putInt(4, (int) c.getValue());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(newer));
        }
        byte[] before = Files.readAllBytes(file);
        Journal.DamagedException e = assertThrows(Journal.DamagedException.class, () -> replay(file));
        assertTrue(e.getMessage().contains("format byte is 3"), e.getMessage());
        assertTrue(e.getMessage().contains("newer version"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    /**
     * Repair keeps every record that verifies, before and after the damage, keeps the damaged
     * file aside byte for byte, and a later start needs no repair.
     */
    @Test
    void repair_keepsEveryRecordThatVerifies_andTheDamagedFileAside() throws IOException {
        List<long[]> records = new ArrayList<>();
        List<Game> games = games(6);
        Path file = dir.resolve("repair");
        byte[] full = journalOf(file, games, records);
        String epoch = epochOf(file);
        for (int damagedRecord : new int[] {-1, 0, 2, 5}) { // -1: the epoch record
            for (int field : new int[] {0, 5, Journal.HEADER + 3}) { // length, checksum, payload
                Path dirFor = Files.createDirectories(dir.resolve("r" + damagedRecord + "-" + field));
                Path j = dirFor.resolve("journal");
                byte[] damaged = full.clone();
                damaged[(int) records.get(damagedRecord + 1)[0] + field] ^= 0x10;
                Files.write(j, damaged);
                assertThrows(Journal.DamagedException.class, () -> replay(j));

                List<Game> kept = new ArrayList<>();
                String repaired;
                try (Journal journal = Journal.open(j, kept::add, Journal.Recovery.REPAIR)) {
                    repaired = journal.epoch();
                    journal.append(new Game("after", "s", "x", "y", Game.Result.DRAW)).join();
                }
                assertNotEquals(epoch, repaired, "games after a dropped one are renumbered: a new epoch");
                List<Game> expected = new ArrayList<>(games);
                if (damagedRecord >= 0) {
                    expected.remove(damagedRecord);
                }
                assertEquals(expected, kept, "record " + damagedRecord + ", field " + field);
                expected.add(new Game("after", "s", "x", "y", Game.Result.DRAW));
                assertEquals(expected, replay(j), "a plain start after the repair");
                assertEquals(repaired, epochOf(j), "kept after the repair");
                try (var aside = Files.list(dirFor)) {
                    List<Path> damagedFiles = aside.filter(p -> p.getFileName().toString().startsWith("journal.damaged-"))
                            .toList();
                    assertEquals(1, damagedFiles.size(), damagedFiles.toString());
                    assertArrayEquals(damaged, Files.readAllBytes(damagedFiles.getFirst()));
                }
            }
        }
    }

    /** The app refuses a damaged journal, and starts with {@code journal-repair} set. */
    @Test
    void app_refusesADamagedJournal_andRepairsItWhenAsked() throws IOException {
        Path file = dir.resolve("app-journal");
        List<long[]> records = new ArrayList<>();
        byte[] full = journalOf(file, games(4), records);
        full[(int) records.get(2)[0] + Journal.HEADER + 2] ^= 0x04; // game-1, after the epoch record and game-0
        Files.write(file, full);
        Journal.DamagedException e = assertThrows(Journal.DamagedException.class,
                () -> TestApps.memory(file, java.util.Map.of()).close());
        assertEquals(3, e.record());
        assertArrayEquals(full, Files.readAllBytes(file));
        try (LeaderboardApp app = TestApps.memory(file, java.util.Map.of("leaderboard.journal-repair", "true"))) {
            assertEquals(3, app.store().version(), "the three records that verify");
            assertEquals(200, TestApps.get(app, "/player/p0/stats").statusCode());
            assertEquals(404, TestApps.get(app, "/player/p1/stats").statusCode(), "game-1 was dropped");
        }
    }

    @Test
    void repair_ofAnUndamagedJournal_changesNothing() throws IOException {
        Path file = dir.resolve("clean");
        List<Game> games = games(3);
        byte[] full = journalOf(file, games, new ArrayList<>());
        List<Game> kept = new ArrayList<>();
        Journal.open(file, kept::add, Journal.Recovery.REPAIR).close();
        assertEquals(games, kept);
        assertArrayEquals(full, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void encodeDecode_roundTrips() throws IOException {
        Game g = new Game("id:ü", "s", "😀", "\uE000", Game.Result.PLAYER2_WINS);
        byte[] record = Journal.encode(g);
        byte[] payload = java.util.Arrays.copyOfRange(record, Journal.HEADER, record.length);
        assertEquals(g, Journal.decode(payload));
        assertArrayEquals(record, Journal.encode(Journal.decode(payload)));
    }

    @Test
    void epoch_isKeptAcrossRestarts_andNewForANewJournal() throws IOException {
        Path file = dir.resolve("epoch");
        String epoch;
        try (Journal j = Journal.open(file, g -> { })) {
            epoch = j.epoch();
            j.append(games(1).getFirst()).join();
        }
        assertTrue(epoch.matches("[0-9a-z]{12}"), epoch);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), Journal.encodeEpoch(epoch).length);
        assertArrayEquals(Journal.encodeEpoch(epoch), head, "the first record holds the epoch");
        assertEquals(epoch, epochOf(file), "the same journal, the same epoch");
        assertEquals(games(1), replay(file), "the epoch record is not a game");
        assertNotEquals(epoch, epochOf(dir.resolve("another")));
    }

    /** A journal written before epoch records: it starts, with an epoch of its own that every start agrees on. */
    @Test
    void aJournalWithoutAnEpochRecord_keepsWorking_withAStableEpochDerivedFromIt() throws IOException {
        Path file = dir.resolve("older");
        List<Game> games = games(3);
        java.io.ByteArrayOutputStream older = new java.io.ByteArrayOutputStream();
        for (Game g : games) {
            older.write(Journal.encode(g));
        }
        Files.write(file, older.toByteArray());
        String epoch;
        List<Game> seen = new ArrayList<>();
        Game extra = new Game("later", "s", "x", "y", Game.Result.DRAW);
        try (Journal j = Journal.open(file, seen::add)) {
            epoch = j.epoch();
            j.append(extra).join();
        }
        assertEquals(games, seen);
        assertTrue(epoch.matches("[0-9a-f]{16}"), epoch);
        byte[] after = Files.readAllBytes(file);
        assertArrayEquals(older.toByteArray(), java.util.Arrays.copyOf(after, older.size()), "no record inserted");
        assertEquals(epoch, epochOf(file), "the same at every start, also after appends");

        Path other = dir.resolve("older-other");
        Files.write(other, Journal.encode(extra));
        assertNotEquals(epoch, epochOf(other), "another journal, another epoch");
    }

    @Test
    void anEpochRecordAfterTheFirst_isDamage_andARepairDropsIt() throws IOException {
        Path file = dir.resolve("two-epochs");
        List<Game> games = games(2);
        List<long[]> records = new ArrayList<>();
        journalOf(file, games, records);
        long good = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(Journal.encodeEpoch("second")));
        }
        Journal.DamagedException e = assertThrows(Journal.DamagedException.class, () -> replay(file));
        assertEquals(4, e.record());
        assertEquals(good, e.offset());
        assertTrue(e.getMessage().contains("epoch record"), e.getMessage());

        List<Game> kept = new ArrayList<>();
        try (Journal j = Journal.open(file, kept::add, Journal.Recovery.REPAIR)) {
            assertNotEquals("second", j.epoch());
        }
        assertEquals(games, kept);
        assertEquals(good, Files.size(file), "a new epoch record and the two games");
    }
}
