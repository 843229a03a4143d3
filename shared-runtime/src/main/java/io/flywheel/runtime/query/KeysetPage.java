package io.flywheel.runtime.query;

import io.flywheel.query.v1.PageRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keyset paging: a page is the {@code size} smallest keys strictly after the token's key. The
 * token (base64url) names where the next page starts: after the last key of the previous page,
 * so pages never skip or repeat a key when others are added meanwhile; or, after a page some
 * server could not add to, where that page started, so a client that only follows tokens asks
 * again rather than skipping that server's keys.
 */
public record KeysetPage(int size, Optional<String> afterKey) {

    public static final int DEFAULT_SIZE = 100;
    public static final int MAX_SIZE = 1000;
    private static final int MAX_TOKEN_LENGTH = 4096;
    /** Token payloads: "a" + key resumes after the key; "s" starts from the first key. */
    private static final String AFTER = "a";
    private static final String FROM_START = "s";

    /**
     * Validates a request's paging: an absent page means the first page of the default size; a
     * page size outside 1..1000 is rejected (0 is a mistake, not "everything").
     */
    public static KeysetPage of(boolean hasPage, PageRequest request) {
        if (!hasPage) {
            return new KeysetPage(DEFAULT_SIZE, Optional.empty());
        }
        int size = request.getPageSize();
        if (size < 1 || size > MAX_SIZE) {
            throw QueryErrors.invalidArgument("page.page_size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        String token = request.getPageToken();
        if (token.isEmpty()) {
            return new KeysetPage(size, Optional.empty());
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw QueryErrors.invalidArgument("page_token is too long: pass back the next_page_token of the previous answer");
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            payload = "";
        }
        if (payload.equals(FROM_START)) {
            return new KeysetPage(size, Optional.empty());
        }
        if (!payload.startsWith(AFTER)) {
            throw QueryErrors.invalidArgument("page_token is not a token this service issued: pass back next_page_token unchanged");
        }
        return new KeysetPage(size, Optional.of(payload.substring(AFTER.length())));
    }

    public static String tokenFor(String lastKey) {
        return encode(AFTER + lastKey);
    }

    /** The token that asks for this same page again. */
    public String again() {
        return encode(afterKey.map(key -> AFTER + key).orElse(FROM_START));
    }

    private static String encode(String payload) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    public boolean admits(String key) {
        return afterKey.map(after -> key.compareTo(after) > 0).orElse(true);
    }

    /**
     * Cuts a page out of entries gathered from every server: ordered by key, strictly after the
     * token, at most {@code size}; with the token for the next page (empty at the end).
     */
    public <T> Page<T> cut(Collection<T> entries, Function<T, String> keyOf) {
        return cut(entries, keyOf, size);
    }

    /**
     * One server's share of a fan-out page: one entry more than the page, so the merge can tell
     * whether another page follows.
     */
    public <T> List<T> shareOf(Collection<T> entries, Function<T, String> keyOf) {
        return cut(entries, keyOf, size + 1).entries();
    }

    private <T> Page<T> cut(Collection<T> entries, Function<T, String> keyOf, int size) {
        List<T> sorted = new ArrayList<>();
        for (T entry : entries) {
            if (admits(keyOf.apply(entry))) {
                sorted.add(entry);
            }
        }
        sorted.sort(Comparator.comparing(keyOf));
        if (sorted.size() <= size) {
            return new Page<>(sorted, "");
        }
        List<T> page = List.copyOf(sorted.subList(0, size));
        return new Page<>(page, tokenFor(keyOf.apply(page.get(page.size() - 1))));
    }

    public record Page<T>(List<T> entries, String nextPageToken) {
    }
}
