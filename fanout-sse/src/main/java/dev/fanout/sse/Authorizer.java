package dev.fanout.sse;

import io.helidon.webserver.http.ServerRequest;
import java.util.Objects;

/**
 * Decides, per request and before anything is subscribed, whether a client may open a stream
 * ({@link SseHandler.Builder#authorizer}). A browser's {@code EventSource} cannot set headers,
 * so the authorizer sees the whole request: the {@code Authorization} header of other clients,
 * a session cookie ({@code request.headers().cookies().first("session")}), a query parameter
 * such as {@code ?token=} ({@code request.query().first("token")}), the path.
 *
 * {@snippet file="dev/fanout/sse/SseExample.java" region="authorizer"}
 *
 * <p>A refused request is answered at once, {@code 401} with a {@code WWW-Authenticate} header
 * or {@code 403}, each with a plain-text body; it holds no stream, no admission slot and no
 * subscription.
 *
 * <p>Thread-safety: {@link #authorize} is called on each request's own (virtual) thread, for
 * many requests at once, so an implementation must be thread-safe. It may block (look a token
 * up, say): only that request waits. An exception from it refuses the request with {@code 500}
 * and is logged, without the stack trace; it never opens a stream.
 */
@FunctionalInterface
public interface Authorizer {
    /**
     * Decides whether a request may open a stream.
     *
     * @param request the request, before any response is written; read it, do not answer it
     * @return the decision, not null
     */
    Decision authorize(ServerRequest request);

    /**
     * An authorizer's answer: {@link #allow()}, {@link #unauthorized} or {@link #forbidden}.
     * Immutable; a decision may be reused for any number of requests.
     */
    final class Decision {
        private static final Decision ALLOW = new Decision(200, null, null);

        private final int status;
        private final String challenge;
        private final String reason;

        private Decision(int status, String challenge, String reason) {
            this.status = status;
            this.challenge = challenge;
            this.reason = reason;
        }

        /** {@return the decision that lets the request open its stream} */
        public static Decision allow() {
            return ALLOW;
        }

        /**
         * The client did not prove who it is (no credentials, expired or unknown ones):
         * {@code 401 Unauthorized}.
         *
         * @param challenge the {@code WWW-Authenticate} value, such as
         *                  {@code Bearer realm="leaderboard"}; not blank, no CR or LF
         * @param reason    the response's plain-text body, no CR or LF; say what is missing, not
         *                  why a secret did not match
         * @return the decision
         * @throws IllegalArgumentException for a blank challenge, or CR or LF in either
         */
        public static Decision unauthorized(String challenge, String reason) {
            Objects.requireNonNull(challenge, "challenge");
            if (challenge.isBlank() || Frames.hasLineBreak(challenge)) {
                throw new IllegalArgumentException("challenge: \"" + Frames.escape(challenge)
                        + "\" (expected: not blank, no CR or LF)");
            }
            return new Decision(401, challenge, checkReason(reason));
        }

        /**
         * The client is known and may not have this stream: {@code 403 Forbidden}.
         *
         * @param reason the response's plain-text body, no CR or LF
         * @return the decision
         * @throws IllegalArgumentException for CR or LF in the reason
         */
        public static Decision forbidden(String reason) {
            return new Decision(403, null, checkReason(reason));
        }

        private static String checkReason(String reason) {
            Objects.requireNonNull(reason, "reason");
            if (Frames.hasLineBreak(reason)) {
                throw new IllegalArgumentException("reason: \"" + Frames.escape(reason) + "\" (expected: no CR or LF)");
            }
            return reason;
        }

        /** {@return true for {@link #allow()}} */
        public boolean allowed() {
            return status == 200;
        }

        /** {@return 200 for {@link #allow()}, else 401 or 403: the response's status} */
        public int status() {
            return status;
        }

        String challenge() {
            return challenge;
        }

        String reason() {
            return reason;
        }

        @Override
        public String toString() {
            return allowed() ? "Decision[allow]" : "Decision[" + status + ", " + reason + "]";
        }
    }
}
