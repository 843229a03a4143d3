package io.flywheel.safety.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flywheel.events.v1.Completion;
import io.flywheel.events.v1.ModelRef;
import io.flywheel.safety.rules.DefaultPolicyPack;
import io.flywheel.safety.rules.DetectorSettings;
import io.flywheel.safety.rules.PolicyCatalog;
import io.flywheel.safety.rules.PolicyCompiler;
import io.flywheel.safety.rules.PolicySet;
import io.flywheel.safety.rules.Screening;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Screening one 1 KiB response with the default policy pack, against two passthrough baselines
 * measured the same way: building a new Completion around the same text, and a serde round trip
 * (parse + serialize: what a Kafka Streams passthrough pays per record).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScreeningBenchmark {

  static final String CLEAN = "Kafka Streams keeps state in local stores that are backed by changelog topics, so a "
      + "restarted instance can restore what it had. When you scale out, partitions move between instances and "
      + "their stores follow. Interactive queries let you ask any instance for a key: it answers locally when it "
      + "owns the partition, or tells you which host does. For exactly-once processing, enable "
      + "processing.guarantee=exactly_once_v2; the commit interval then bounds how long results wait before they "
      + "become visible downstream. Keep record sizes modest, prefer compacted topics for tables, and name your "
      + "internal topics explicitly so that an upgrade does not rename them and lose state. Finally, watch the "
      + "consumer lag of each task: it tells you whether the application keeps up with its input. ";

  static final String PII = "Thanks for reaching out! I have updated your account. For the record, the e-mail on "
      + "file is jane.doe@example.com and the phone number is +44 20 7946 0958. The card ending in 1111 "
      + "(4111 1111 1111 1111) was charged, and the refund goes to DE89 3704 0044 0532 0130 00. The request came "
      + "from 192.168.10.24. If anything looks wrong, reply to this message and our support team will help. We "
      + "also noticed an API key in your earlier message (AKIAIOSFODNN7EXAMPLE); please rotate it, since keys "
      + "shared in chat should be treated as exposed. Your order will ship within two business days, and you "
      + "will receive a tracking link by e-mail as soon as the carrier picks it up. Have a great day! ";

  @Param({"clean", "pii"})
  public String content;

  PolicySet policySet;
  String prompt;
  String response;
  Completion completion;
  byte[] completionBytes;

  @Setup
  public void setup() {
    policySet = new PolicyCatalog(DefaultPolicyPack.load(), new PolicyCompiler(DetectorSettings.DEFAULTS)).current();
    String base = content.equals("clean") ? CLEAN : PII;
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 1024) {
      sb.append(base);
    }
    response = sb.substring(0, 1024);
    prompt = "How do I keep my Kafka Streams state when I scale out?";
    completion = Completion.newBuilder().setCompletionId("c-1").setConversationId("conv-1").setUserId("u-1")
        .setModel(ModelRef.newBuilder().setName("m").setVersion("1")).setPromptVersion("p1").setPromptText(prompt)
        .setResponseText(response).build();
    completionBytes = completion.toByteArray();
  }

  @Benchmark
  public Screening screenDefaultPack() {
    return policySet.screen(prompt, response);
  }

  @Benchmark
  public Completion passthroughNewCompletion() {
    return completion.toBuilder().setResponseText(new String(response.toCharArray())).build();
  }

  @Benchmark
  public byte[] passthroughSerdeRoundTrip() throws InvalidProtocolBufferException {
    return Completion.parseFrom(completionBytes).toByteArray();
  }
}
