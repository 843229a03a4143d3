package io.flywheel.safety.rules;

/** Character classes the detectors share for their boundary checks. */
final class Chars {

  private Chars() {}

  static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isAsciiAlnum(char c) {
    return isAsciiDigit(c) || isAsciiLetter(c);
  }

  static boolean isHex(char c) {
    return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** A word character in the Unicode sense: letter, digit or underscore. */
  static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  static char at(CharSequence text, int i) {
    return i >= 0 && i < text.length() ? text.charAt(i) : ' ';
  }

  /** True if a word char, or a '.'/','/'-' joining two word chars, touches the span from outside. */
  static boolean joinedToWord(CharSequence text, int start, int end) {
    char before = at(text, start - 1);
    char after = at(text, end);
    if (isWordChar(before) || isWordChar(after)) {
      return true;
    }
    boolean beforeJoin = (before == '.' || before == ',' || before == '-') && isWordChar(at(text, start - 2));
    boolean afterJoin = (after == '.' || after == ',' || after == '-') && isWordChar(at(text, end + 1));
    return beforeJoin || afterJoin;
  }
}
