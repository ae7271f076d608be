package dev.fanout.redis;

import java.util.Objects;
import java.util.function.Function;

/**
 * Turns messages into the text stored in a Redis Stream entry and back.
 *
 * <p><b>Threads.</b> {@link #encode} runs on publishing threads, {@link #decode} on an instance's
 * reader thread and on subscribing threads (a resume that reads older entries back): both must
 * be thread-safe. {@code decode(encode(m))} must equal {@code m} for every instance to see the
 * same messages.
 *
 * @param <T> the message type
 */
public interface StreamCodec<T> {

    /**
     * Encodes a message for the stream.
     *
     * @param message the message, not null
     * @return its text, not null
     */
    String encode(T message);

    /**
     * Decodes a message read from the stream.
     *
     * @param text what {@link #encode} gave, as read back from the stream
     * @return the message, not null; what it throws makes the entry unreadable on this instance
     *         (it is skipped and counted in {@link RedisStreamStats#undecodable()})
     */
    T decode(String text);

    /** {@return the codec of plain strings: stored as they are} */
    static StreamCodec<String> strings() {
        return of(Function.identity(), Function.identity());
    }

    /**
     * A codec of two functions.
     *
     * @param encoder message to text
     * @param decoder text to message
     * @param <T>     the message type
     * @return a codec of the two functions
     */
    static <T> StreamCodec<T> of(Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new StreamCodec<>() {
            @Override
            public String encode(T message) {
                return Objects.requireNonNull(encoder.apply(message), "encoded text");
            }

            @Override
            public T decode(String text) {
                return Objects.requireNonNull(decoder.apply(text), "decoded message");
            }
        };
    }
}
