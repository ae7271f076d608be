package dev.fanout.leaderboard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The leaderboard's ordered structure: a treap (a binary search tree kept balanced by random
 * priorities) whose nodes count their subtree, so insert, remove and rank take O(log n)
 * expected time and the top k take O(log n + k).
 *
 * <p>Order: half points descending, then player id descending as unsigned UTF-8 bytes, which
 * is exactly the order of Redis's {@code ZREVRANGE} (Redis compares members with
 * {@code memcmp}).
 *
 * <p>Not thread-safe: {@link EmbeddedStore} guards it with its lock.
 */
final class RankedSet {

    /** One player; immutable key, mutable links. */
    private static final class Node {
        final String player;
        final byte[] utf8;
        final long halfPoints;
        final int priority;
        Node left;
        Node right;
        int size = 1;

        Node(String player, byte[] utf8, long halfPoints, int priority) {
            this.player = player;
            this.utf8 = utf8;
            this.halfPoints = halfPoints;
            this.priority = priority;
        }
    }

    /**
     * One entry of {@link #first(int)}.
     *
     * @param player     the player id
     * @param halfPoints the score times two
     */
    record Entry(String player, long halfPoints) {
    }

    private final SplittableRandom random;
    private Node root;
    // the two halves of the last split; fields rather than an allocated pair
    private Node splitLeft;
    private Node splitRight;

    RankedSet(long seed) {
        this.random = new SplittableRandom(seed);
    }

    static byte[] utf8(String player) {
        return player.getBytes(StandardCharsets.UTF_8);
    }

    /** Negative when (h1, p1) comes before (h2, p2) on the leaderboard. */
    static int compare(long h1, byte[] p1, long h2, byte[] p2) {
        int c = Long.compare(h2, h1);
        return c != 0 ? c : Arrays.compareUnsigned(p2, p1);
    }

    private static int size(Node n) {
        return n == null ? 0 : n.size;
    }

    private static Node update(Node n) {
        n.size = 1 + size(n.left) + size(n.right);
        return n;
    }

    /** @return how many players the set holds */
    int size() {
        return size(root);
    }

    /**
     * Adds a player; the caller guarantees it is not present with this score.
     *
     * @param player     the id
     * @param utf8       its UTF-8 bytes
     * @param halfPoints its score times two
     */
    void insert(String player, byte[] utf8, long halfPoints) {
        split(root, halfPoints, utf8, false);
        Node l = splitLeft;
        Node r = splitRight;
        root = merge(merge(l, new Node(player, utf8, halfPoints, random.nextInt())), r);
    }

    /**
     * Removes the player with exactly this score; the caller guarantees it is present.
     *
     * @param utf8       the id's UTF-8 bytes
     * @param halfPoints its current score times two
     */
    void remove(byte[] utf8, long halfPoints) {
        split(root, halfPoints, utf8, false); // left: before the key
        Node l = splitLeft;
        split(splitRight, halfPoints, utf8, true); // left: the key itself
        Node r = splitRight;
        root = merge(l, r);
    }

    /**
     * @param utf8       the id's UTF-8 bytes
     * @param halfPoints its current score times two
     * @return how many players come before it (its 0-based rank)
     */
    int rank(byte[] utf8, long halfPoints) {
        int before = 0;
        Node n = root;
        while (n != null) {
            int c = compare(halfPoints, utf8, n.halfPoints, n.utf8);
            if (c < 0) {
                n = n.left;
            } else if (c > 0) {
                before += size(n.left) + 1;
                n = n.right;
            } else {
                return before + size(n.left);
            }
        }
        return before;
    }

    /**
     * @param k how many, at least 0
     * @return the first {@code k} players in leaderboard order
     */
    List<Entry> first(int k) {
        List<Entry> out = new ArrayList<>(Math.min(k, size()));
        ArrayDeque<Node> stack = new ArrayDeque<>();
        Node n = root;
        while (out.size() < k && (n != null || !stack.isEmpty())) {
            while (n != null) {
                stack.push(n);
                n = n.left;
            }
            n = stack.pop();
            out.add(new Entry(n.player, n.halfPoints));
            n = n.right;
        }
        return out;
    }

    /**
     * Splits {@code t} into the nodes before the key (or up to and including it, when
     * {@code inclusive}) and the rest, leaving them in {@link #splitLeft} and {@link #splitRight}.
     */
    private void split(Node t, long halfPoints, byte[] utf8, boolean inclusive) {
        if (t == null) {
            splitLeft = null;
            splitRight = null;
            return;
        }
        int c = compare(t.halfPoints, t.utf8, halfPoints, utf8);
        if (c < 0 || (inclusive && c == 0)) {
            split(t.right, halfPoints, utf8, inclusive);
            t.right = splitLeft;
            splitLeft = update(t);
        } else {
            split(t.left, halfPoints, utf8, inclusive);
            t.left = splitRight;
            splitRight = update(t);
        }
    }

    /** Joins two treaps where every node of {@code a} comes before every node of {@code b}. */
    private static Node merge(Node a, Node b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority > b.priority) {
            a.right = merge(a.right, b);
            return update(a);
        }
        b.left = merge(a, b.left);
        return update(b);
    }
}
