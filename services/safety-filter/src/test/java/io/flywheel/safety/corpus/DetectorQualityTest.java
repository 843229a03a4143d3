package io.flywheel.safety.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.safety.rules.BuiltinDetectors;
import io.flywheel.safety.rules.Detector;
import io.flywheel.safety.rules.DetectorSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of every built-in detector on the labelled corpus. A found span is a
 * true positive only if it equals a span marked for this detector exactly; every other span it
 * finds — in its own negatives or in any other detector's positives — is a false positive. Fails
 * below {@link QualityGate#OWN_CORPUS}, or if a detector has fewer than 200 positives or 1,000
 * negatives of its own. Writes the table to target/detector-quality.md.
 */
class DetectorQualityTest {

  record Row(String detector, int positives, int ownNegatives, int otherLines, Tally tally) {}

  @Test
  void everyDetectorMeetsPrecisionAndRecall() throws IOException {
    BuiltinDetectors builtins = new BuiltinDetectors(DetectorSettings.DEFAULTS);
    Map<String, List<Corpus.Sample>> positives = new LinkedHashMap<>();
    Map<String, List<Corpus.Sample>> negatives = new LinkedHashMap<>();
    for (String d : Corpus.DETECTORS) {
      positives.put(d, Corpus.load(Corpus.positivesPath(d)));
      negatives.put(d, Corpus.load(Corpus.negativesPath(d)));
    }
    List<Row> rows = new ArrayList<>();
    for (String d : Corpus.DETECTORS) {
      Detector detector = builtins.byName(d).orElseThrow();
      Tally tally = new Tally();
      int marks = 0;
      int other = 0;
      for (String file : Corpus.DETECTORS) {
        // Other detectors' negatives are look-alikes of THEIR entity and may hold real entities
        // of this detector (IP addresses among the phone look-alikes): only their positives count.
        List<List<Corpus.Sample>> files = file.equals(d) ? List.of(positives.get(file), negatives.get(file))
            : List.of(positives.get(file));
        for (List<Corpus.Sample> samples : files) {
          for (Corpus.Sample s : samples) {
            boolean own = file.equals(d);
            Set<Long> expected = new HashSet<>();
            if (own) {
              for (int[] e : s.expected()) {
                expected.add(Tally.key(e[0], e[1]));
              }
              marks += s.expected().size();
            } else {
              other++;
            }
            tally.add(s.file() + ":" + s.line(), s.text(), detector.find(s.text()), expected, Set.of());
          }
        }
      }
      rows.add(new Row(d, marks, negatives.get(d).size(), other, tally));
    }
    String table = table(rows);
    Path out = Path.of("target", "detector-quality.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
    System.out.println(table);
    for (Row r : rows) {
      assertTrue(r.positives() >= 200, r.detector() + ": only " + r.positives() + " positives");
      assertTrue(r.ownNegatives() >= 1000, r.detector() + ": only " + r.ownNegatives() + " negatives");
      assertTrue(QualityGate.OWN_CORPUS.passes(r.tally()), r.detector() + " below " + QualityGate.OWN_CORPUS
          + "\n" + table);
    }
  }

  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| detector | positives (marked spans) | own hard negatives | other detectors' positive lines | TP | FP | FN | precision | recall |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      Tally t = r.tally();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.4f | %.4f |%n", r.detector(),
          r.positives(), r.ownNegatives(), r.otherLines(), t.tp, t.fp, t.fn, t.precision(), t.recall()));
    }
    sb.append("\nExact-span matching: a found span counts only if it equals a marked span. Examples of misses:\n\n");
    for (Row r : rows) {
      for (String e : r.tally().examples) {
        sb.append("- ").append(r.detector()).append(": ").append(e).append('\n');
      }
    }
    return sb.toString();
  }
}
