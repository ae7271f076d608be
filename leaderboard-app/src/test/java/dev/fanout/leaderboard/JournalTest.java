package dev.fanout.leaderboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        List<Long> ends = new ArrayList<>();
        long end = 0;
        try (Journal j = Journal.open(file, g -> { })) {
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
            long boundary = whole == 0 ? 0 : ends.get(whole - 1);
            List<Game> recovered = new ArrayList<>();
            try (Journal j = Journal.open(torn, recovered::add)) {
                assertEquals(games.subList(0, whole), recovered, "cut at " + cut);
                assertEquals(boundary, Files.size(torn), "truncated to the last whole record, cut at " + cut);
                j.append(extra).join();
            }
            List<Game> expected = new ArrayList<>(games.subList(0, whole));
            expected.add(extra);
            assertEquals(expected, replay(torn), "after repair, cut at " + cut);
            Files.delete(torn);
        }
    }

    @Test
    void garbageTail_isTruncated_notFatal() throws IOException {
        Path file = dir.resolve("garbage");
        List<Game> games = games(5);
        try (Journal j = Journal.open(file, g -> { })) {
            games.forEach(g -> j.append(g).join());
        }
        long good = Files.size(file);
        byte[] noise = new byte[37];
        new Random(7).nextBytes(noise);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(noise));
        }
        assertEquals(games, replay(file));
        assertEquals(good, Files.size(file));
    }

    @Test
    void flippedByteInLastRecord_failsItsChecksum_andOnlyItIsDropped() throws IOException {
        Path file = dir.resolve("flip");
        List<Game> games = games(4);
        try (Journal j = Journal.open(file, g -> { })) {
            games.forEach(g -> j.append(g).join());
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(file, bytes);
        assertEquals(games.subList(0, 3), replay(file));
    }

    @Test
    void encodeDecode_roundTrips() throws IOException {
        Game g = new Game("id:ü", "s", "😀", "\uE000", Game.Result.PLAYER2_WINS);
        byte[] record = Journal.encode(g);
        byte[] payload = java.util.Arrays.copyOfRange(record, Journal.HEADER, record.length);
        assertEquals(g, Journal.decode(payload));
        assertArrayEquals(record, Journal.encode(Journal.decode(payload)));
    }
}
