package io.flywheel.safety.rules;

import java.util.List;

/**
 * Finds the spans of one kind of sensitive content in a text.
 *
 * <p>Contract: the result is sorted by start, its spans do not overlap, and each span is exact
 * (UTF-16 char indexes, see {@link Span}). A detector is immutable and thread-safe, does work
 * linear (or near-linear) in the length of the text, and never throws on any input.
 */
public interface Detector {

  List<Span> find(String text);
}
