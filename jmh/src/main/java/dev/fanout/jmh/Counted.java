package dev.fanout.jmh;

/** What a subject counted so far; read by the publisher thread after an iteration's barrier. */
interface Counted {
    /** @return messages the subscribers' handlers received */
    long delivered();

    /** @return messages the subject reported dropped */
    long dropped();
}
