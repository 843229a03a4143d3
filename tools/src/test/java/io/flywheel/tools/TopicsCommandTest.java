package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.model.TopicSpec;
import io.flywheel.model.Topics;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicsCommandTest {

    @Test
    void meshTopicsAreTheCataloguePlusOneDeadLetterTopicPerApplication() {
        Map<String, TopicSpec<?>> topics = TopicsCommand.meshTopics(null).stream()
                .collect(Collectors.toMap(TopicSpec::name, Function.identity()));
        assertEquals(Topics.ALL.size() + 3, topics.size());
        Topics.ALL.forEach(t -> assertEquals(t, topics.get(t.name())));
        assertTrue(topics.get("safety-filter.dlq").restricted());
        assertFalse(topics.get("feedback-aggregator.dlq").restricted());
        assertFalse(topics.get("eval-sampler.dlq").restricted());
    }

    @Test
    void partitionOverrideLeavesSinglePartitionTopicsAlone() {
        List<TopicSpec<?>> topics = TopicsCommand.meshTopics(2);
        for (TopicSpec<?> topic : topics) {
            boolean single = topic.name().equals(Topics.SAFETY_POLICIES.name()) || topic.name().endsWith(".dlq");
            assertEquals(single ? 1 : 2, topic.partitions(), topic.name());
        }
    }
}
