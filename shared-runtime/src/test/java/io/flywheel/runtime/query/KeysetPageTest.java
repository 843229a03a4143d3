package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flywheel.query.v1.PageRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class KeysetPageTest {

    @Test
    void pagesMergedFromSeveralServersVisitEveryKeyOnceInOrder() {
        List<List<String>> servers = List.of(List.of("a", "d", "g", "j"), List.of("b", "e", "h"), List.of("c", "f", "i", "k", "l"));
        List<String> visited = new ArrayList<>();
        String token = "";
        do {
            KeysetPage page = KeysetPage.of(true, PageRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            List<String> merged = new ArrayList<>();
            for (List<String> server : servers) {
                merged.addAll(page.shareOf(server, Function.identity()));
            }
            KeysetPage.Page<String> cut = page.cut(merged, Function.identity());
            visited.addAll(cut.entries());
            token = cut.nextPageToken();
        } while (!token.isEmpty());
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"), visited);
    }

    @Test
    void aTokenAskingForAPageAgainNamesWhereThatPageStarted() {
        KeysetPage first = KeysetPage.of(true, PageRequest.newBuilder().setPageSize(3).build());
        String again = first.again();
        assertFalse(again.isEmpty(), "an empty token would mean the list has ended");
        assertEquals(first, KeysetPage.of(true, PageRequest.newBuilder().setPageSize(3).setPageToken(again).build()));

        KeysetPage later = KeysetPage.of(true, PageRequest.newBuilder().setPageSize(3).setPageToken(KeysetPage.tokenFor("k7")).build());
        assertEquals(Optional.of("k7"), later.afterKey());
        assertEquals(later, KeysetPage.of(true, PageRequest.newBuilder().setPageSize(3).setPageToken(later.again()).build()));
    }

    @Test
    void badPageSizesAndTokensAreInvalidArguments() {
        for (int size : new int[] {0, -1, 1001, 1_000_000}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> KeysetPage.of(true, PageRequest.newBuilder().setPageSize(size).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> KeysetPage.of(true, PageRequest.newBuilder().setPageSize(5).setPageToken("***").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(KeysetPage.DEFAULT_SIZE, KeysetPage.of(false, PageRequest.getDefaultInstance()).size());
    }
}
