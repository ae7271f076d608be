package dev.fanout.leaderboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The JSON bodies of the HTTP API, as records, and the one configured {@link ObjectMapper}.
 * Every body is written by Jackson, never by string concatenation.
 *
 * <p>The mapper is thread-safe once built, like every Jackson {@code ObjectMapper}.
 */
final class Json {

    private Json() {
    }

    /** @return a mapper that rejects duplicate keys and trailing content, and omits null fields */
    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    /** What a stream client receives. */
    record SnapshotBody(long version, @JsonProperty("published_at") long publishedAt, List<Standing> entries) {
    }

    /** {@code GET /leaderboard}; {@code stale} is present (true) only when the store could not be read. */
    record LeaderboardBody(long version, List<Standing> entries, Boolean stale) {
    }

    /** {@code POST /submit-game} acknowledgement. */
    record SubmitBody(@JsonProperty("game_id") String gameId, String outcome, boolean duplicate) {
    }

    /** Every error: a stable code, the field at fault when there is one, and a sentence. */
    record ErrorBody(String error, String field, String message) {
    }
}
