package io.flywheel.safety.rules;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * An RE2 regular expression (RE2/J): matching time is linear in the length of the text whatever
 * the pattern, so a hostile rule such as {@code (a+)+$} cannot stall the stream. Empty matches
 * are skipped; the compiler rejects patterns that match the empty string.
 */
public final class RegexDetector implements Detector {

  private final Pattern pattern;

  public RegexDetector(Pattern pattern) {
    this.pattern = pattern;
  }

  public String pattern() {
    return pattern.pattern();
  }

  @Override
  public List<Span> find(String text) {
    Matcher m = pattern.matcher(text);
    List<Span> out = new ArrayList<>();
    while (m.find()) {
      if (m.end() > m.start()) {
        out.add(new Span(m.start(), m.end()));
      }
    }
    return out;
  }
}
