package io.flywheel.safety.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled corpus format: one sample per line; {@code ⟦...⟧} marks an expected span of the
 * file's detector; {@code ⏎} stands for a newline; lines starting with {@code "# "} are comments.
 */
public final class Corpus {

  public static final char OPEN = '⟦';
  public static final char CLOSE = '⟧';
  public static final char NEWLINE = '⏎';

  public static final List<String> DETECTORS = List.of("email", "phone", "payment_card", "iban", "us_ssn",
      "ip_address", "secret_key", "jwt", "private_key", "prompt_injection");

  private Corpus() {}

  /** A decoded sample: the text and the expected spans (start, end) of the file's detector. */
  public record Sample(String file, int line, String text, List<int[]> expected) {}

  public static String positivesPath(String detector) {
    return "corpus/" + detector + "/positives.txt";
  }

  public static String negativesPath(String detector) {
    return "corpus/" + detector + "/negatives.txt";
  }

  public static Sample decode(String file, int lineNo, String line) {
    StringBuilder text = new StringBuilder(line.length());
    List<int[]> spans = new ArrayList<>();
    int open = -1;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == OPEN) {
        open = text.length();
      } else if (c == CLOSE) {
        spans.add(new int[] {open, text.length()});
        open = -1;
      } else {
        text.append(c == NEWLINE ? '\n' : c);
      }
    }
    return new Sample(file, lineNo, text.toString(), spans);
  }

  /** An entity marked with its category: {@code ⟦category¦text⟧} in the independent corpus. */
  public record Label(String category, int start, int end) {}

  /** A sample of the independent corpus: the text and every entity in it, by category. */
  public record LabelledSample(int line, String text, List<Label> labels) {}

  public static LabelledSample decodeLabelled(int lineNo, String line) {
    Sample s = decode("", lineNo, line);
    StringBuilder text = new StringBuilder(s.text());
    List<Label> labels = new ArrayList<>();
    int removed = 0;
    // each marked span starts with "category¦": cut it out, shifting later offsets
    for (int[] e : s.expected()) {
      int start = e[0] - removed;
      int sep = text.indexOf(String.valueOf(IndependentCorpusGenerator.LABEL_SEPARATOR), start);
      String category = text.substring(start, sep);
      text.delete(start, sep + 1);
      removed += sep + 1 - start;
      labels.add(new Label(category, start, e[1] - removed));
    }
    return new LabelledSample(lineNo, text.toString(), labels);
  }

  public static List<LabelledSample> loadLabelled(String resource) {
    List<LabelledSample> out = new ArrayList<>();
    lines(resource, (lineNo, line) -> out.add(decodeLabelled(lineNo, line)));
    return out;
  }

  public static List<Sample> load(String resource) {
    List<Sample> out = new ArrayList<>();
    lines(resource, (lineNo, line) -> out.add(decode(resource, lineNo, line)));
    return out;
  }

  private interface LineSink {
    void line(int lineNo, String line);
  }

  /** Every sample line (1-based numbers), skipping blank lines and comments. */
  private static void lines(String resource, LineSink sink) {
    try (InputStream in = Corpus.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing corpus file " + resource);
      }
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isEmpty() && !lines[i].startsWith("# ")) {
          sink.line(i + 1, lines[i]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
