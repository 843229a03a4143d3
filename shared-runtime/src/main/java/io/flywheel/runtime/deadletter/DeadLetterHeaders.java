package io.flywheel.runtime.deadletter;

/** Headers a dead letter carries beside its original key and value bytes and headers. */
public final class DeadLetterHeaders {
    public static final String SOURCE_TOPIC = "flywheel.dlq.source.topic";
    public static final String SOURCE_PARTITION = "flywheel.dlq.source.partition";
    public static final String SOURCE_OFFSET = "flywheel.dlq.source.offset";
    public static final String ERROR_CLASS = "flywheel.dlq.error.class";
    public static final String ERROR_MESSAGE = "flywheel.dlq.error.message";
    public static final String APPLICATION_ID = "flywheel.dlq.application.id";

    private DeadLetterHeaders() {
    }
}
