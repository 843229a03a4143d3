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

  public static List<Sample> load(String resource) {
    try (InputStream in = Corpus.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing corpus file " + resource);
      }
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
      List<Sample> out = new ArrayList<>();
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isEmpty() && !lines[i].startsWith("# ")) {
          out.add(decode(resource, i + 1, lines[i]));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
