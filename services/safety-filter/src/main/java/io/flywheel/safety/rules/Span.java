package io.flywheel.safety.rules;

/**
 * A half-open range {@code [start, end)} of UTF-16 char indexes into a Java {@link String}
 * (the indexes {@link String#substring(int, int)} takes), so a surrogate pair counts as two.
 */
public record Span(int start, int end) implements Comparable<Span> {

  public Span {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
  }

  public int length() {
    return end - start;
  }

  /** True if the spans share a char or touch ({@code a.end == b.start}). */
  public boolean overlapsOrTouches(Span other) {
    return start <= other.end && other.start <= end;
  }

  public String of(CharSequence text) {
    return text.subSequence(start, end).toString();
  }

  @Override
  public int compareTo(Span o) {
    int c = Integer.compare(start, o.start);
    return c != 0 ? c : Integer.compare(end, o.end);
  }
}
