package io.flywheel.feedback.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.events.v1.FeedbackEvent;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.model.Topics;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.KeyStats;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.TopKeysRequest;
import io.flywheel.query.v1.WatchKeyEvent;
import io.flywheel.query.v1.WatchKeyRequest;
import io.flywheel.testkit.DeadLetter;
import io.flywheel.testkit.FlywheelServiceResource;
import io.flywheel.testkit.QueryReadiness;
import io.flywheel.testkit.FlywheelTestStack;
import io.flywheel.testkit.ServiceHealth;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The aggregator on a real broker and registry: 10,000+ feedback events with vote changes,
 * clears, duplicates and reordering, checked against a recomputation written here (it uses no
 * production class), plus the dead-letter path (garbage, hostile timestamps, a 1 MiB id), a watch
 * stream and argument errors.
 */
@QuarkusTest
@QuarkusTestResource(value = FlywheelServiceResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeedbackAggregatorIT {

    private static final long BUCKET_MS = Duration.ofHours(1).toMillis();
    private static final String[] MODELS = {"gpt-a", "gpt-b", "claude-c", "llama-d"};
    private static final String[] PROMPTS = {"p1", "p2"};
    private static final String[] REASONS = {"harmful", "wrong", "rude"};
    private static final String APPLICATION_ID = "feedback-aggregator";
    /** 10000-01-01T00:00:00Z: one second past the range of google.protobuf.Timestamp. */
    private static final long BEYOND_TIMESTAMP_RANGE = 253402300800L;
    private static final long YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();

    private static ManagedChannel channel;
    private static FeedbackQueryServiceGrpc.FeedbackQueryServiceBlockingStub queries;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", FlywheelServiceResource.port()).usePlaintext().build();
        queries = FeedbackQueryServiceGrpc.newBlockingStub(channel);
        awaitQueryable();
    }

    /** Start-up answers UNAVAILABLE (with a retry hint) until Kafka Streams runs. */
    private static void awaitQueryable() {
        QueryReadiness.await(() -> queries.listKeys(ListKeysRequest.getDefaultInstance()), Duration.ofSeconds(90));
    }

    @AfterAll
    static void disconnect() {
        channel.shutdownNow();
    }

    /** What the test expects, computed here from the events it sent. */
    static final class Expected {
        long up, down, ratingCount, ratingSum, regenerations, copies;
        long[] histogram = new long[5];
        Map<String, Long> reports = new TreeMap<>();
    }

    record Stamp(long at, String id) implements Comparable<Stamp> {
        public int compareTo(Stamp o) {
            return at != o.at ? Long.compare(at, o.at) : id.compareTo(o.id);
        }
    }

    private static String keyText(FeedbackEvent e) {
        return e.getModel().getName() + "|" + e.getModel().getVersion() + "|" + e.getPromptVersion();
    }

    /** Expected aggregates by "name|version|prompt" (all-time) and "name|version|prompt@bucketStartMs". */
    static Map<String, Expected> recompute(List<FeedbackEvent> sent) {
        Map<String, FeedbackEvent> firstById = new HashMap<>();
        for (FeedbackEvent e : sent) {
            firstById.putIfAbsent(e.getFeedbackId(), e);
        }
        Map<String, List<FeedbackEvent>> byVoter = new HashMap<>();
        for (FeedbackEvent e : firstById.values()) {
            byVoter.computeIfAbsent(e.getCompletionId() + "\u0000" + e.getUserId(), k -> new ArrayList<>()).add(e);
        }
        Map<String, Expected> expected = new HashMap<>();
        for (List<FeedbackEvent> events : byVoter.values()) {
            FeedbackEvent any = events.get(0);
            long bucket = Math.floorDiv(Timestamps.toMillis(any.getCompletionCreatedAt()), BUCKET_MS) * BUCKET_MS;
            List<Expected> targets = List.of(
                    expected.computeIfAbsent(keyText(any), k -> new Expected()),
                    expected.computeIfAbsent(keyText(any) + "@" + bucket, k -> new Expected()));
            Stamp clear = null, thumbAt = null, ratingAt = null;
            FeedbackEvent thumb = null, rating = null;
            for (FeedbackEvent e : events) {
                Stamp s = new Stamp(Timestamps.toMillis(e.getOccurredAt()), e.getFeedbackId());
                switch (e.getSignalCase()) {
                    case CLEARED -> clear = clear == null || s.compareTo(clear) > 0 ? s : clear;
                    case THUMB -> { if (thumbAt == null || s.compareTo(thumbAt) > 0) { thumbAt = s; thumb = e; } }
                    case RATING -> { if (ratingAt == null || s.compareTo(ratingAt) > 0) { ratingAt = s; rating = e; } }
                    case REGENERATED -> targets.forEach(t -> t.regenerations++);
                    case COPIED -> targets.forEach(t -> t.copies++);
                    case REPORTED -> targets.forEach(t -> t.reports.merge(e.getReported().getReason(), 1L, Long::sum));
                    default -> throw new IllegalStateException();
                }
            }
            if (thumb != null && (clear == null || thumbAt.compareTo(clear) > 0)) {
                boolean up = thumb.getThumb() == FeedbackEvent.Thumb.THUMB_UP;
                targets.forEach(t -> { if (up) t.up++; else t.down++; });
            }
            if (rating != null && (clear == null || ratingAt.compareTo(clear) > 0)) {
                int stars = rating.getRating();
                targets.forEach(t -> { t.ratingCount++; t.ratingSum += stars; t.histogram[stars - 1]++; });
            }
        }
        return expected;
    }

    static List<FeedbackEvent> generate(Random random, Instant now) {
        List<FeedbackEvent> events = new ArrayList<>();
        int completion = 0;
        while (events.size() < 10_500) {
            String model = MODELS[random.nextInt(MODELS.length)];
            String prompt = PROMPTS[random.nextInt(PROMPTS.length)];
            Instant created = now.minusSeconds(600 + random.nextInt(5 * 3600));
            String completionId = "cmp-" + completion;
            String conversation = "conv-" + (completion++ % 900);
            int users = 1 + random.nextInt(3);
            for (int u = 0; u < users; u++) {
                int count = 1 + random.nextInt(6);
                for (int i = 0; i < count; i++) {
                    long offset = random.nextInt(300); // many share a second: ties by feedback_id
                    FeedbackEvent.Builder e = FeedbackEvent.newBuilder()
                            .setFeedbackId(UUID.randomUUID().toString())
                            .setConversationId(conversation)
                            .setCompletionId(completionId)
                            .setUserId("user-" + u)
                            .setModel(ModelRef.newBuilder().setName(model).setVersion("v1"))
                            .setPromptVersion(prompt)
                            .setCompletionCreatedAt(Timestamps.fromMillis(created.toEpochMilli()))
                            .setOccurredAt(Timestamps.fromMillis(created.plusSeconds(offset / 2).toEpochMilli()));
                    int kind = random.nextInt(20);
                    if (kind < 8) {
                        e.setThumb(random.nextInt(10) < 7 ? FeedbackEvent.Thumb.THUMB_UP : FeedbackEvent.Thumb.THUMB_DOWN);
                    } else if (kind < 13) {
                        e.setRating(1 + random.nextInt(5));
                    } else if (kind < 15) {
                        e.setCleared(FeedbackEvent.Cleared.getDefaultInstance());
                    } else if (kind < 17) {
                        e.setRegenerated(FeedbackEvent.Regenerated.getDefaultInstance());
                    } else if (kind < 19) {
                        e.setCopied(FeedbackEvent.Copied.getDefaultInstance());
                    } else {
                        e.setReported(FeedbackEvent.Reported.newBuilder().setReason(REASONS[random.nextInt(REASONS.length)]));
                    }
                    events.add(e.build());
                }
            }
        }
        // Reorder: arrival order is not occurred_at order. Then re-send 5 % as duplicates.
        Collections.shuffle(events, random);
        int duplicates = events.size() / 20;
        for (int i = 0; i < duplicates; i++) {
            events.add(random.nextInt(events.size()), events.get(random.nextInt(events.size())));
        }
        return events;
    }

    @Inject
    Instance<Topology> topologies;

    /** Every build hands out serializers whose schemas the start resolves: one topology per process, not one per injection. */
    @Test
    void theTopologyIsBuiltOncePerProcess() {
        assertSame(topologies.get(), topologies.get());
    }

    @Test
    void everyAggregateEqualsTheRecomputationAndGarbageIsDeadLetteredOnce() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        ModelKey watched = ModelKey.newBuilder().setModelName("gpt-a").setModelVersion("v1").setPromptVersion("p1").build();
        List<WatchKeyEvent> watchEvents = new CopyOnWriteArrayList<>();
        FeedbackQueryServiceGrpc.newStub(channel).watchKey(WatchKeyRequest.newBuilder().setKey(watched).build(),
                new StreamObserver<>() {
                    public void onNext(WatchKeyEvent event) { watchEvents.add(event); }
                    public void onError(Throwable t) { }
                    public void onCompleted() { }
                });

        // Another producer's record with a key the aggregator never writes: the watch feed steps over it.
        try (KafkaProducer<String, FeedbackAggregate> foreign = stack.producer(Topics.FEEDBACK_AGGREGATES)) {
            foreign.send(new ProducerRecord<>(Topics.FEEDBACK_AGGREGATES.name(), "gpt-a|v1|p1", FeedbackAggregate.getDefaultInstance())).get();
        }
        List<FeedbackEvent> sent = generate(new Random(7), Instant.now());
        List<byte[]> garbage = List.of("garbage-1".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, 0, 0, 0, 0, 1, 2, 3}, new byte[] {(byte) 0xff, 0x13, 0x37});
        try (KafkaProducer<String, FeedbackEvent> producer = stack.producer(Topics.FEEDBACK_EVENTS);
             KafkaProducer<byte[], byte[]> raw = stack.rawProducer()) {
            for (int i = 0; i < sent.size(); i++) {
                FeedbackEvent event = sent.get(i);
                producer.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), event.getConversationId(), event));
                if (i % 3000 == 1500 && i / 3000 < garbage.size()) {
                    producer.flush();
                    byte[] bytes = garbage.get(i / 3000);
                    raw.send(new ProducerRecord<>(Topics.FEEDBACK_EVENTS.name(), ("bad-" + i).getBytes(StandardCharsets.UTF_8), bytes)).get();
                }
            }
            producer.flush();
        }
        assertTrue(sent.size() >= 10_000);

        Map<String, Expected> expected = recompute(sent);
        Map<String, String> mismatches = Map.of("not checked", "yet");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            mismatches = compareAll(expected);
            if (mismatches.isEmpty()) {
                break;
            }
            Thread.sleep(1000);
        }
        assertEquals(Map.of(), mismatches, "aggregates differ from the recomputation");

        List<DeadLetter> dead = stack.readDeadLetters(APPLICATION_ID, letter -> letter.keyText().matches("bad-\\d+"),
                garbage.size(), Duration.ofSeconds(15));
        assertEquals(garbage.size(), dead.size(), "each garbage record is dead-lettered exactly once");
        for (int i = 0; i < garbage.size(); i++) {
            String key = "bad-" + (i * 3000 + 1500);
            DeadLetter letter = dead.stream().filter(d -> d.keyText().equals(key)).findFirst().orElseThrow();
            assertArrayEquals(garbage.get(i), letter.value());
            assertEquals(Topics.FEEDBACK_EVENTS.name(), letter.header(DeadLetter.SOURCE_TOPIC));
            assertTrue(letter.reason() != null);
        }

        GetStatsResponse stats = queries.getStats(GetStatsRequest.newBuilder().setKey(watched).build());
        long watchDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < watchDeadline
                && (watchEvents.isEmpty() || !watchEvents.get(watchEvents.size() - 1).getAllTime().equals(stats.getAllTime()))) {
            Thread.sleep(200);
        }
        assertTrue(!watchEvents.isEmpty() && watchEvents.get(0).getSnapshot(), "the first watch event is the snapshot");
        assertEquals(stats.getAllTime(), watchEvents.get(watchEvents.size() - 1).getAllTime(),
                "the watcher ends equal to the stats answer");

        // Keyset paging walks every key once, in order.
        List<String> paged = new ArrayList<>();
        String token = "";
        do {
            ListKeysResponse page = queries.listKeys(ListKeysRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(3).setPageToken(token)).build());
            assertTrue(page.getServersList().stream().allMatch(s -> s.getOk()), page.getServersList().toString());
            for (KeyStats key : page.getKeysList()) {
                paged.add(key.getKey().getModelName() + "|" + key.getKey().getModelVersion() + "|" + key.getKey().getPromptVersion());
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        List<String> allTimeKeys = expected.keySet().stream().filter(k -> !k.contains("@")).sorted().toList();
        assertEquals(allTimeKeys.size(), paged.size());
        assertEquals(Set.copyOf(allTimeKeys), new HashSet<>(paged));

        var top = queries.topKeys(TopKeysRequest.newBuilder().setK(3).setRankBy(TopKeysRequest.Ranking.VOLUME).build());
        assertEquals(3, top.getKeysCount());
        long first = volume(top.getKeys(0).getAllTime());
        long third = volume(top.getKeys(2).getAllTime());
        assertTrue(first >= third);
        long maxVolume = expected.entrySet().stream().filter(e -> !e.getKey().contains("@"))
                .mapToLong(e -> e.getValue().up + e.getValue().down + e.getValue().ratingCount).max().orElseThrow();
        assertEquals(maxVolume, first);
    }

    private static long volume(FeedbackAggregate aggregate) {
        return aggregate.getThumbsUp() + aggregate.getThumbsDown() + aggregate.getRatingCount();
    }

    private static Map<String, String> compareAll(Map<String, Expected> expected) {
        Map<String, String> mismatches = new TreeMap<>();
        for (String model : MODELS) {
            for (String prompt : PROMPTS) {
                String key = model + "|v1|" + prompt;
                if (!expected.containsKey(key)) {
                    continue;
                }
                GetStatsResponse stats;
                try {
                    stats = queries.getStats(GetStatsRequest.newBuilder()
                            .setKey(ModelKey.newBuilder().setModelName(model).setModelVersion("v1").setPromptVersion(prompt))
                            .setLastBuckets(1000).build());
                } catch (StatusRuntimeException e) {
                    mismatches.put(key, e.getStatus().toString());
                    continue;
                }
                diff(key, expected.get(key), stats.getAllTime(), mismatches);
                Set<String> seenBuckets = new HashSet<>();
                for (FeedbackAggregate bucket : stats.getBucketsList()) {
                    String bucketKey = key + "@" + Timestamps.toMillis(bucket.getBucket().getStart());
                    seenBuckets.add(bucketKey);
                    diff(bucketKey, expected.getOrDefault(bucketKey, new Expected()), bucket, mismatches);
                }
                expected.keySet().stream().filter(k -> k.startsWith(key + "@") && !seenBuckets.contains(k))
                        .forEach(k -> mismatches.put(k, "bucket missing"));
            }
        }
        return mismatches;
    }

    private static void diff(String key, Expected e, FeedbackAggregate actual, Map<String, String> mismatches) {
        String want = e.up + "/" + e.down + " r" + e.ratingCount + ":" + e.ratingSum + java.util.Arrays.toString(e.histogram)
                + " g" + e.regenerations + " c" + e.copies + " " + e.reports;
        String got = actual.getThumbsUp() + "/" + actual.getThumbsDown() + " r" + actual.getRatingCount() + ":" + actual.getRatingSum()
                + actual.getRatingHistogramList().toString().replace(" ", "").replace(",", ", ")
                + " g" + actual.getRegenerations() + " c" + actual.getCopies() + " " + new TreeMap<>(actual.getReportsByReasonMap());
        if (!want.equals(got)) {
            mismatches.put(key, "want " + want + " got " + got);
        }
    }

    /**
     * The issue's opening scenario and its relatives, on the real broker: feedback dated outside
     * Timestamp's range, before 1970 and in 2100 (as {@code occurred_at} and as
     * {@code completion_created_at}) and an event with a 1 MiB feedback id, sent between valid
     * votes on the same model key. The service stays ready, each bad record is dead-lettered once
     * with its bytes and a reason naming what broke, and the key's aggregates are those of the
     * valid votes alone (no 2100 bucket, no extra thumb).
     */
    @Test
    @Order(Order.DEFAULT + 1) // ListKeys above walks every key: this test's key must not exist yet
    void hostileTimestampsAndAHugeIdAreDeadLetteredOnceAndChangeNoAggregate() throws Exception {
        FlywheelTestStack stack = FlywheelTestStack.shared();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String model = "hostile-" + run;
        Instant created = Instant.now().minus(Duration.ofMinutes(30));
        List<FeedbackEvent> valid = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            FeedbackEvent.Builder vote = vote("fb-" + run + "-" + i, "conv-" + run + "-" + (i % 7), "cmp-" + run + "-" + (i % 13),
                    "user-" + (i % 3), model, created, created.plusSeconds(i));
            valid.add((i % 4 == 3 ? vote.setRating(1 + i % 5) : vote.setThumb(i % 3 == 0
                    ? FeedbackEvent.Thumb.THUMB_DOWN : FeedbackEvent.Thumb.THUMB_UP)).build());
        }
        // Each would add a thumb up to the key, or a bucket in 2100, if it were counted.
        Map<String, FeedbackEvent> hostile = new java.util.LinkedHashMap<>();
        hostile.put("occurred_at (seconds=" + BEYOND_TIMESTAMP_RANGE, vote("fb-" + run + "-range", "conv-" + run + "-0",
                "cmp-" + run + "-0", "user-0", model, created, null)
                .setOccurredAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE)).build());
        hostile.put("occurred_at 1969-12-31T00:00:00Z is before 1970", vote("fb-" + run + "-pre1970", "conv-" + run + "-0",
                "cmp-" + run + "-0", "user-0", model, created, null)
                .setOccurredAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(-86_400)).build());
        hostile.put("occurred_at 2100-01-01T00:00:00Z is more than", vote("fb-" + run + "-2100", "conv-" + run + "-0",
                "cmp-" + run + "-0", "user-0", model, created, Instant.ofEpochSecond(YEAR_2100)).build());
        hostile.put("completion_created_at (seconds=" + BEYOND_TIMESTAMP_RANGE, vote("fb-" + run + "-cc-range",
                "conv-" + run + "-1", "cmp-" + run + "-x", "user-0", model, created, created)
                .setCompletionCreatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(BEYOND_TIMESTAMP_RANGE)).build());
        hostile.put("completion_created_at 2100-01-01T00:00:00Z is more than", vote("fb-" + run + "-cc-2100",
                "conv-" + run + "-1", "cmp-" + run + "-y", "user-0", model, Instant.ofEpochSecond(YEAR_2100), created).build());
        hostile.put("feedback event is ", vote("f".repeat(1024 * 1024), "conv-" + run + "-2",
                "cmp-" + run + "-z", "user-0", model, created, created).build());

        stack.sendAmongValid(APPLICATION_ID, Topics.FEEDBACK_EVENTS, valid, hostile, FeedbackEvent::getConversationId);

        Map<String, Expected> expected = recompute(valid);
        String key = model + "|v1|p1";
        ModelKey modelKey = ModelKey.newBuilder().setModelName(model).setModelVersion("v1").setPromptVersion("p1").build();
        Map<String, String> mismatches = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            mismatches.clear();
            try {
                GetStatsResponse stats = queries.getStats(GetStatsRequest.newBuilder().setKey(modelKey).setLastBuckets(1000).build());
                diff(key, expected.get(key), stats.getAllTime(), mismatches);
                Set<String> buckets = new HashSet<>();
                for (FeedbackAggregate bucket : stats.getBucketsList()) {
                    String bucketKey = key + "@" + Timestamps.toMillis(bucket.getBucket().getStart());
                    buckets.add(bucketKey);
                    diff(bucketKey, expected.getOrDefault(bucketKey, new Expected()), bucket, mismatches);
                }
                Set<String> wantedBuckets = new HashSet<>(expected.keySet());
                wantedBuckets.remove(key);
                if (!buckets.equals(wantedBuckets)) {
                    mismatches.put("buckets", "want " + wantedBuckets + " got " + buckets);
                }
            } catch (StatusRuntimeException e) {
                mismatches.put(key, e.getStatus().toString());
            }
        } while (!mismatches.isEmpty() && System.nanoTime() < deadline && sleep(500));
        assertEquals(Map.of(), mismatches, "the key's aggregates are those of the valid votes alone");

        ServiceHealth.assertReadyAndRunning(FlywheelServiceResource.port(), Duration.ofSeconds(10));
    }

    private static FeedbackEvent.Builder vote(String feedbackId, String conversationId, String completionId, String userId,
                                              String model, Instant completionCreated, Instant occurred) {
        FeedbackEvent.Builder event = FeedbackEvent.newBuilder()
                .setFeedbackId(feedbackId)
                .setConversationId(conversationId)
                .setCompletionId(completionId)
                .setUserId(userId)
                .setModel(ModelRef.newBuilder().setName(model).setVersion("v1"))
                .setPromptVersion("p1")
                .setCompletionCreatedAt(Timestamps.fromMillis(completionCreated.toEpochMilli()))
                .setThumb(FeedbackEvent.Thumb.THUMB_UP);
        return occurred == null ? event : event.setOccurredAt(Timestamps.fromMillis(occurred.toEpochMilli()));
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    @Test
    void outsideClientsDiscoverTheServiceAndItsHealth() throws Exception {
        List<String> services = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> requests = io.grpc.reflection.v1.ServerReflectionGrpc
                .newStub(channel).serverReflectionInfo(new StreamObserver<>() {
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse response) {
                        response.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                    }
                    public void onError(Throwable t) { done.countDown(); }
                    public void onCompleted() { done.countDown(); }
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(services.contains("flywheel.query.v1.FeedbackQueryService"), services.toString());

        var health = grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                .check(grpc.health.v1.HealthOuterClass.HealthCheckRequest.newBuilder().build());
        assertEquals(grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    @Test
    void badRequestsGetClearErrors() {
        StatusRuntimeException emptyModel = assertThrows(StatusRuntimeException.class,
                () -> queries.getStats(GetStatsRequest.newBuilder().setKey(ModelKey.newBuilder().setModelVersion("v1")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, emptyModel.getStatus().getCode());
        assertTrue(emptyModel.getStatus().getDescription().contains("model_name"), emptyModel.getStatus().getDescription());

        for (int size : new int[] {0, 1_000_000}) {
            StatusRuntimeException badPage = assertThrows(StatusRuntimeException.class, () -> queries.listKeys(
                    ListKeysRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(size)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, badPage.getStatus().getCode());
            assertTrue(badPage.getStatus().getDescription().contains("page_size"), badPage.getStatus().getDescription());
        }

        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> queries.getStats(GetStatsRequest.newBuilder()
                .setKey(ModelKey.newBuilder().setModelName("no-such-model").setModelVersion("v0").setPromptVersion("p")).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertTrue(unknown.getStatus().getDescription().contains("no-such-model"));

        StatusRuntimeException badK = assertThrows(StatusRuntimeException.class,
                () -> queries.topKeys(TopKeysRequest.newBuilder().setK(0).setRankBy(TopKeysRequest.Ranking.APPROVAL).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badK.getStatus().getCode());

        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class, () -> queries.listKeys(ListKeysRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(10).setPageToken("%%%not-base64")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
    }
}
