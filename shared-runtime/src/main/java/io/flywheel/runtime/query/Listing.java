package io.flywheel.runtime.query;

import io.flywheel.query.v1.ServerOutcome;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The shape of one paged list answer, and how its fan-out shares become a page: each instance
 * sends the {@code size + 1} smallest keys after the token (so the merge can tell whether a next
 * page exists), the caller merges entries of the same key, orders by key and cuts the page.
 *
 * @param entriesOf the entries of an answer
 * @param keyOf     an entry's key (the store key the page token names)
 * @param sameKey   combines two entries of one key (strata are counted per partition); others keep the first
 * @param answer    builds the answer from entries, the next-page token and the servers' outcomes
 */
public record Listing<R, T>(Function<R, List<T>> entriesOf, Function<T, String> keyOf, BinaryOperator<T> sameKey,
                            Answer<R, T> answer) {

    /** Builds a list answer. */
    @FunctionalInterface
    public interface Answer<R, T> {
        R of(List<T> entries, String nextPageToken, List<ServerOutcome> servers);
    }

    /** A listing whose keys are unique across partitions. */
    public static <R, T> Listing<R, T> of(Function<R, List<T>> entriesOf, Function<T, String> keyOf, Answer<R, T> answer) {
        return new Listing<>(entriesOf, keyOf, (first, second) -> first, answer);
    }

    /** This instance's share: its local entries after the token, one more than the page, uncut by the page. */
    public R share(KeysetPage page, Collection<T> local) {
        return answer.of(page.shareOf(byKey(local), keyOf), "", List.of());
    }

    /**
     * The page cut from every share. When a server did not answer, the token asks for the same
     * page again: its keys may lie anywhere in the page, and moving on would skip them.
     */
    public R merge(KeysetPage page, Shares<R> shares) {
        KeysetPage.Page<T> cut = page.cut(byKey(shares.entries(entriesOf)), keyOf);
        return answer.of(cut.entries(), shares.complete() ? cut.nextPageToken() : page.again(), shares.outcomes());
    }

    private Collection<T> byKey(Collection<T> entries) {
        Map<String, T> merged = new LinkedHashMap<>();
        entries.forEach(entry -> merged.merge(keyOf.apply(entry), entry, sameKey));
        return merged.values();
    }
}
