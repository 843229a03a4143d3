package io.flywheel.verification;

import io.flywheel.events.v1.FeedbackAggregate;
import io.flywheel.query.v1.FeedbackQueryServiceGrpc;
import io.flywheel.query.v1.GetStatsRequest;
import io.flywheel.query.v1.GetStatsResponse;
import io.flywheel.query.v1.GetStratumStatsRequest;
import io.flywheel.query.v1.GetUserRiskRequest;
import io.flywheel.query.v1.ListEscalationsRequest;
import io.flywheel.query.v1.ListEscalationsResponse;
import io.flywheel.query.v1.ListKeysRequest;
import io.flywheel.query.v1.ListKeysResponse;
import io.flywheel.query.v1.ListStrataRequest;
import io.flywheel.query.v1.ListStrataResponse;
import io.flywheel.query.v1.ModelKey;
import io.flywheel.query.v1.PageRequest;
import io.flywheel.query.v1.ResponseMetadata;
import io.flywheel.query.v1.SafetyQueryServiceGrpc;
import io.flywheel.query.v1.SamplerQueryServiceGrpc;
import io.flywheel.query.v1.ServerOutcome;
import io.flywheel.query.v1.StratumStats;
import io.flywheel.query.v1.WatchKeyEvent;
import io.flywheel.query.v1.WatchKeyRequest;
import io.flywheel.verification.mesh.Mesh;
import io.flywheel.verification.workload.Workload;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Asks every service during the run, as a client would, and records what a client would suffer:
 * point answers below the committed state although they declare no lag, time spent UNAVAILABLE
 * (longest stretch per service), watch streams going backwards, and paged lists that repeat a
 * key, go out of order, or miss a key that was committed before the listing began.
 *
 * <p>"Committed state" is what a read_committed consumer of {@code feedback.aggregates} has seen;
 * the monotone part of an aggregate (regenerations, copies, reports) can never fall below it.
 *
 * <p>Longer than most classes here: one probe per kind of question (point, list, watch) with the
 * bookkeeping they share; splitting them would spread that bookkeeping over several classes.
 */
final class QueryProbe {

    /** Availability of one service as a client sees it. */
    private static final class Availability {
        long ok;
        long unavailable;
        long otherErrors;
        long stretchStart = -1;
        long longestMs;
        String lastError = "";

        synchronized void ok() {
            ok++;
            if (stretchStart >= 0) {
                longestMs = Math.max(longestMs, (System.nanoTime() - stretchStart) / 1_000_000);
                stretchStart = -1;
            }
        }

        synchronized void failed(StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                unavailable++;
                if (stretchStart < 0) {
                    stretchStart = System.nanoTime();
                }
            } else if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                otherErrors++;
                lastError = e.getStatus().toString();
            } else {
                ok();
            }
        }

        synchronized long longest() {
            return stretchStart < 0 ? longestMs : Math.max(longestMs, (System.nanoTime() - stretchStart) / 1_000_000);
        }
    }

    private final Mesh mesh;
    private final Map<String, Availability> availability = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, Long> committedMonotone = new ConcurrentHashMap<>();
    private final List<String> findings = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> findingsByKind = new ConcurrentHashMap<>();
    private final AtomicLong contradictions = new AtomicLong();
    private final AtomicLong pointAnswers = new AtomicLong();
    private final AtomicLong standbyAnswers = new AtomicLong();
    private final AtomicLong watchEvents = new AtomicLong();
    private final AtomicLong watchBackwards = new AtomicLong();
    private final AtomicLong listScans = new AtomicLong();
    private final AtomicLong listRepeats = new AtomicLong();
    private final AtomicLong listMissing = new AtomicLong();
    private final AtomicLong listPartial = new AtomicLong();
    private final Random random = new Random(7);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    QueryProbe(Mesh mesh) {
        this.mesh = mesh;
        Mesh.SERVICES.forEach(s -> availability.put(s, new Availability()));
    }

    void start() {
        running = true;
        threads.add(new Thread(this::followCommitted, "probe-committed"));
        threads.add(new Thread(() -> loop(this::askAggregator), "probe-aggregator"));
        threads.add(new Thread(() -> loop(this::askSafety), "probe-safety"));
        threads.add(new Thread(() -> loop(this::askSampler), "probe-sampler"));
        threads.add(new Thread(this::watch, "probe-watch"));
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(10_000);
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    /** Keeps the first five findings of each kind (the text's first word), so one kind cannot hide another. */
    private void finding(String text) {
        String kind = text.split(" ", 2)[0];
        if (findingsByKind.merge(kind, 1, Integer::sum) <= 5) {
            findings.add(text);
        }
    }

    List<String> outcomes() {
        List<String> lines = new ArrayList<>();
        availability.forEach((service, a) -> lines.add(String.format("%-20s ok %6d  UNAVAILABLE %5d  other errors %d  longest UNAVAILABLE stretch %.1f s%s",
                service, a.ok, a.unavailable, a.otherErrors, a.longest() / 1000.0, a.lastError.isEmpty() ? "" : "  last error: " + a.lastError)));
        lines.add("point answers " + pointAnswers + " (standby " + standbyAnswers + "), below committed state without declared lag: " + contradictions);
        lines.add("watch events " + watchEvents + ", going backwards: " + watchBackwards);
        lines.add("paged list scans " + listScans + ": repeated or out-of-order keys " + listRepeats + ", committed keys missing " + listMissing
                + ", scans with a failed server (partial, not judged) " + listPartial);
        findings.forEach(f -> lines.add("  " + f));
        return lines;
    }

    private interface Ask {
        void ask() throws Exception;
    }

    private void loop(Ask ask) {
        while (running) {
            try {
                ask.ask();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                finding("probe error: " + e);
            }
        }
    }

    /** A channel to a live instance of the service, picked at random (a client's load balancer). */
    private ManagedChannel channel(String service) {
        List<Mesh.Instance> alive = mesh.instances().stream().filter(i -> i.service().equals(service) && i.process().alive()).toList();
        if (alive.isEmpty()) {
            return null;
        }
        Mesh.Instance instance = alive.get(random.nextInt(alive.size()));
        return channels.computeIfAbsent(instance.label(), l -> ManagedChannelBuilder.forAddress("127.0.0.1", instance.port()).usePlaintext().build());
    }

    private static long monotone(FeedbackAggregate a) {
        return a.getRegenerations() + a.getCopies() + a.getReportsByReasonMap().values().stream().mapToLong(Long::longValue).sum();
    }

    private static String text(ModelKey key) {
        return key.getModelName() + "/" + key.getModelVersion() + "/" + key.getPromptVersion();
    }

    private void askAggregator() {
        ManagedChannel channel = channel("feedback-aggregator");
        if (channel == null) {
            return;
        }
        Availability a = availability.get("feedback-aggregator");
        var stub = FeedbackQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS);
        List<ModelKey> keys = Workload.modelKeys().stream().map(k -> ModelKey.newBuilder().setModelName(k[0]).setModelVersion(k[1])
                .setPromptVersion(k[2]).build()).toList();
        ModelKey key = keys.get(random.nextInt(keys.size()));
        Long committedBefore = committedMonotone.get(text(key));
        try {
            GetStatsRequest.Builder request = GetStatsRequest.newBuilder().setKey(key);
            if (random.nextBoolean()) {
                request.setMaxLagRecords(100_000);
            }
            GetStatsResponse answer = stub.getStats(request.build());
            a.ok();
            pointAnswers.incrementAndGet();
            if (answer.getMetadata().getRole() == ResponseMetadata.Role.STANDBY) {
                standbyAnswers.incrementAndGet();
            }
            if (committedBefore != null && answer.getMetadata().getLagRecords() == 0 && monotone(answer.getAllTime()) < committedBefore) {
                contradictions.incrementAndGet();
                finding("GetStats " + text(key) + " from " + answer.getMetadata().getServedBy() + " " + answer.getMetadata().getRole()
                        + " lag 0: " + monotone(answer.getAllTime()) + " < committed " + committedBefore);
            }
        } catch (StatusRuntimeException e) {
            a.failed(e);
        }
        // A full listing, two keys a page, following the tokens.
        Set<String> committedKeys = new HashSet<>(committedMonotone.keySet());
        scanListing("ListKeys", a, 1000, committedKeys, token -> {
            ListKeysResponse page = FeedbackQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listKeys(ListKeysRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(token)).build());
            return new Page(page.getKeysList().stream().map(stats -> text(stats.getKey())).toList(),
                    page.getServersList(), page.getNextPageToken());
        });
    }

    /** One page of a listing: its entries as text, whether a server failed, the next token. */
    private record Page(List<String> entries, boolean partial, String next) {
        Page(List<String> entries, List<ServerOutcome> servers, String next) {
            this(entries, servers.stream().anyMatch(server -> !server.getOk()), next);
        }
    }

    /** Follows a listing's page tokens to its end (or {@code limit} entries), then judges what it listed. */
    private void scanListing(String what, Availability a, int limit, Set<String> mustContain, Function<String, Page> fetch) {
        List<String> listed = new ArrayList<>();
        boolean partial = false;
        String token = "";
        try {
            do {
                Page page = fetch.apply(token);
                if (page.partial()) {
                    // A server did not answer: its token asks for the same page again, so a client would
                    // re-ask rather than take this page; the scan ends here, partial and not judged.
                    partial = true;
                    break;
                }
                listed.addAll(page.entries());
                token = page.next();
            } while (!token.isEmpty() && listed.size() < limit);
            a.ok();
            judgeListing(what, listed, partial, mustContain);
        } catch (StatusRuntimeException e) {
            a.failed(e);
        }
    }

    /** A point query: counted as an answer, or as a failure of the service's availability. */
    private void point(Availability a, Runnable call) {
        try {
            call.run();
            a.ok();
            pointAnswers.incrementAndGet();
        } catch (StatusRuntimeException e) {
            a.failed(e);
        }
    }

    private void judgeListing(String what, List<String> listed, boolean partial, Set<String> mustContain) {
        listScans.incrementAndGet();
        for (int i = 1; i < listed.size(); i++) {
            if (listed.get(i).compareTo(listed.get(i - 1)) <= 0) {
                listRepeats.incrementAndGet();
                finding(what + " listed " + listed.get(i) + " after " + listed.get(i - 1));
            }
        }
        if (partial) {
            listPartial.incrementAndGet();
            return;
        }
        Set<String> missing = new HashSet<>(mustContain);
        listed.forEach(missing::remove);
        if (!missing.isEmpty()) {
            listMissing.addAndGet(missing.size());
            finding(what + " missed committed keys " + missing + " (listed " + listed + ")");
        }
    }

    private void askSafety() {
        ManagedChannel channel = channel("safety-filter");
        if (channel == null) {
            return;
        }
        Availability a = availability.get("safety-filter");
        point(a, () -> SafetyQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                .getUserRisk(GetUserRiskRequest.newBuilder().setUserId("user-" + Integer.toString(random.nextInt(50), 36)).build()));
        scanListing("ListEscalations", a, 5000, Set.of(), token -> {
            ListEscalationsResponse page = SafetyQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listEscalations(ListEscalationsRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(5).setPageToken(token)).build());
            return new Page(page.getEscalationsList().stream()
                    .map(e -> e.getUserId() + "@" + String.format("%012d", e.getWindowStart().getSeconds())).toList(),
                    page.getServersList(), page.getNextPageToken());
        });
    }

    private void askSampler() {
        ManagedChannel channel = channel("eval-sampler");
        if (channel == null) {
            return;
        }
        Availability a = availability.get("eval-sampler");
        point(a, () -> SamplerQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                .getStratumStats(GetStratumStatsRequest.newBuilder().setStratum(Workload.modelKeys().get(random.nextInt(3))[0]).build()));
        scanListing("ListStrata", a, 1000, Set.of(), token -> {
            ListStrataResponse page = SamplerQueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listStrata(ListStrataRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(1).setPageToken(token)).build());
            return new Page(page.getStrataList().stream().map(StratumStats::getStratum).toList(),
                    page.getServersList(), page.getNextPageToken());
        });
    }

    /**
     * Watches one model key through one stream at a time; when it breaks, reconnects to a live
     * instance. Within a stream the monotone counters must never fall; a new stream's snapshot must
     * not fall below what the previous stream had already delivered.
     */
    private void watch() {
        String[] k = Workload.modelKeys().get(0);
        ModelKey key = ModelKey.newBuilder().setModelName(k[0]).setModelVersion(k[1]).setPromptVersion(k[2]).build();
        long seen = -1;
        while (running) {
            ManagedChannel channel = channel("feedback-aggregator");
            if (channel == null) {
                sleep(500);
                continue;
            }
            java.util.concurrent.BlockingQueue<Object> events = new java.util.concurrent.LinkedBlockingQueue<>();
            io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
            context.run(() -> FeedbackQueryServiceGrpc.newStub(channel).watchKey(WatchKeyRequest.newBuilder().setKey(key).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(WatchKeyEvent event) {
                            events.add(event);
                        }

                        @Override
                        public void onError(Throwable t) {
                            events.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            events.add(Boolean.TRUE);
                        }
                    }));
            long streamLast = -1;
            try {
                while (running) {
                    Object next = events.poll(500, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        continue;
                    }
                    if (!(next instanceof WatchKeyEvent event)) {
                        break;
                    }
                    watchEvents.incrementAndGet();
                    long now = monotone(event.getAllTime());
                    if (streamLast >= 0 && now < streamLast) {
                        watchBackwards.incrementAndGet();
                        finding("WatchKey " + text(key) + " went from " + streamLast + " to " + now + " within one stream");
                    } else if (streamLast < 0 && now < seen) {
                        watchBackwards.incrementAndGet();
                        finding("WatchKey " + text(key) + " snapshot after reconnect " + now + " below " + seen + " already delivered");
                    }
                    streamLast = Math.max(streamLast, now);
                    seen = Math.max(seen, now);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                context.cancel(null);
            }
        }
    }

    /** Tracks the committed monotone counters of every all-time key (read_committed). */
    private void followCommitted() {
        var config = new HashMap<String, Object>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, mesh.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor("feedback.aggregates").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var decoder = new io.apicurio.registry.serde.protobuf.ProtobufKafkaDeserializer<FeedbackAggregate>();
            decoder.configure(Map.of(io.apicurio.registry.serde.config.SerdeConfig.REGISTRY_URL, mesh.registryUrl(),
                    io.apicurio.registry.serde.config.SerdeConfig.DESERIALIZER_SPECIFIC_VALUE_RETURN_CLASS, FeedbackAggregate.class), false);
            while (running) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null || key.contains("@")) {
                        continue;
                    }
                    try {
                        FeedbackAggregate value = decoder.deserialize(record.topic(), record.headers(), record.value());
                        committedMonotone.merge(key, monotone(value), Math::max);
                    } catch (Exception undecodable) {
                        // judged by the verifier
                    }
                }
            }
        } catch (Exception e) {
            finding("committed-state follower stopped: " + e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
