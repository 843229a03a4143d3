package io.flywheel.safety.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An Aho–Corasick automaton compiled to a dense transition table: one array lookup per char of
 * the text, whatever the number of keywords. Case-insensitive by {@link Character#toLowerCase(char)},
 * char by char, so match offsets are offsets in the original text. Immutable and thread-safe.
 */
final class KeywordAutomaton {

  /** Receives each match as [start, end) in the scanned text. */
  interface Sink {
    void match(int start, int end);
  }

  private final int[] asciiClass = new int[128];
  private final Map<Character, Integer> otherClass = new HashMap<>();
  private final int classes;
  private final int[] delta;
  private final int[][] out;

  KeywordAutomaton(Collection<String> keywords) {
    TreeSet<Character> alphabet = new TreeSet<>();
    for (String k : keywords) {
      for (int i = 0; i < k.length(); i++) {
        alphabet.add(Character.toLowerCase(k.charAt(i)));
      }
    }
    int c = 1; // class 0: chars in no keyword
    for (char ch : alphabet) {
      if (ch < 128) {
        asciiClass[ch] = c;
      } else {
        otherClass.put(ch, c);
      }
      c++;
    }
    // Upper-case ASCII letters share their lower-case class.
    for (char ch = 'A'; ch <= 'Z'; ch++) {
      asciiClass[ch] = asciiClass[Character.toLowerCase(ch)];
    }
    classes = c;

    List<int[]> children = new ArrayList<>();
    List<List<Integer>> lengths = new ArrayList<>();
    children.add(new int[classes]);
    lengths.add(new ArrayList<>());
    for (String k : keywords) {
      if (k.isEmpty()) {
        continue;
      }
      int s = 0;
      for (int i = 0; i < k.length(); i++) {
        int cls = classOf(k.charAt(i));
        if (children.get(s)[cls] == 0) {
          children.get(s)[cls] = children.size();
          children.add(new int[classes]);
          lengths.add(new ArrayList<>());
        }
        s = children.get(s)[cls];
      }
      if (!lengths.get(s).contains(k.length())) {
        lengths.get(s).add(k.length());
      }
    }
    int states = children.size();
    delta = new int[states * classes];
    int[] fail = new int[states];
    out = new int[states][];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int cls = 0; cls < classes; cls++) {
      int t = children.get(0)[cls];
      delta[cls] = t;
      if (t != 0) {
        fail[t] = 0;
        queue.add(t);
      }
    }
    out[0] = null;
    while (!queue.isEmpty()) {
      int s = queue.poll();
      List<Integer> own = new ArrayList<>(lengths.get(s));
      int[] inherited = out[fail[s]];
      if (inherited != null) {
        for (int len : inherited) {
          own.add(len);
        }
      }
      out[s] = own.isEmpty() ? null : own.stream().mapToInt(Integer::intValue).toArray();
      for (int cls = 0; cls < classes; cls++) {
        int t = children.get(s)[cls];
        if (t != 0) {
          fail[t] = delta[fail[s] * classes + cls];
          delta[s * classes + cls] = t;
          queue.add(t);
        } else {
          delta[s * classes + cls] = delta[fail[s] * classes + cls];
        }
      }
    }
  }

  private int classOf(char ch) {
    if (ch < 128) {
      return asciiClass[ch];
    }
    Integer cls = otherClass.get(Character.toLowerCase(ch));
    return cls == null ? 0 : cls;
  }

  void scan(CharSequence text, Sink sink) {
    int s = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      s = delta[s * classes + classOf(text.charAt(i))];
      int[] lens = out[s];
      if (lens != null) {
        for (int len : lens) {
          sink.match(i + 1 - len, i + 1);
        }
      }
    }
  }
}
