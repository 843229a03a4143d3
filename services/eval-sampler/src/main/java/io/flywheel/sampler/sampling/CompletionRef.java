package io.flywheel.sampler.sampling;

import java.util.Objects;

/** A completion by its conversation (the partition key) and its id within it. */
public record CompletionRef(String conversationId, String completionId) implements Comparable<CompletionRef> {

    public CompletionRef {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(completionId, "completionId");
    }

    @Override
    public int compareTo(CompletionRef other) {
        int byConversation = conversationId.compareTo(other.conversationId);
        return byConversation != 0 ? byConversation : completionId.compareTo(other.completionId);
    }
}
