package io.flywheel.runtime.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QueryEdgeTest {

    @Test
    void maxLagRecordsIsTheActiveCopyWhenAbsentAndAMistakeWhenNegative() {
        assertEquals(OptionalLong.empty(), QueryEdge.maxLag(false, 0));
        assertEquals(OptionalLong.of(0), QueryEdge.maxLag(true, 0));
        assertEquals(OptionalLong.of(500), QueryEdge.maxLag(true, 500));
        StatusRuntimeException negative = assertThrows(StatusRuntimeException.class, () -> QueryEdge.maxLag(true, -1));
        assertEquals(Status.Code.INVALID_ARGUMENT, negative.getStatus().getCode());
    }
}
