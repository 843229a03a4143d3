package io.flywheel.safety.rules;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Phone numbers, found by libphonenumber's {@code findNumbers} and kept only when written like a
 * phone number. Numbers without a country code are read in the configured default region.
 *
 * <p>Two strictness levels, chosen per policy by the builtin's name:
 * <ul>
 *   <li>{@link Strictness#POSSIBLE} ({@code phone}, the default): the number has a length that is
 *       possible for its region, and North American numbers have the NXX-NXX-XXXX shape (area
 *       code and exchange start with 2–9). A mistyped, new or unallocated number is still found:
 *       to a privacy reviewer it is a phone number.</li>
 *   <li>{@link Strictness#VALID} ({@code phone_strict}): the number must be valid for its region
 *       today (allocated area and range, libphonenumber's {@code VALID} leniency).</li>
 * </ul>
 *
 * <p>Both levels keep a match only if it is written like a phone number — a {@code +} prefix,
 * brackets, separators between digit groups, or a phone word shortly before it in one of several
 * languages — and drop it when it follows a word that names another kind of number
 * ({@code order #}, invoice, tracking, ticket, ISBN...), is a dotted quad (IPv4) or a decimal
 * number, continues a code ({@code ORD-2015-731033}), a decimal or a time, or touches a letter or
 * digit. An unbalanced bracket the matcher
 * keeps at either end is trimmed. The matcher uses bounded patterns and stops after
 * {@code maxTries} candidates, so a hostile text cannot make it slow; numbers beyond that many
 * candidates in one text are not found.
 *
 * <p>Longer than most classes here on purpose: the written-like-a-phone rules and the negatives they
 * guard against only make sense read together, next to the matcher they filter.
 */
public final class PhoneDetector implements Detector {

  /** How sure the number must be, as libphonenumber judges it. */
  public enum Strictness {
    /** A possible length for its region (and the NANP shape): catches unallocated numbers too. */
    POSSIBLE(PhoneNumberUtil.Leniency.POSSIBLE),
    /** Valid for its region today: misses numbers in ranges not (yet) allocated. */
    VALID(PhoneNumberUtil.Leniency.VALID);

    private final PhoneNumberUtil.Leniency leniency;

    Strictness(PhoneNumberUtil.Leniency leniency) {
      this.leniency = leniency;
    }
  }

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String defaultRegion;
  private final long maxTries;
  private final Strictness strictness;

  public PhoneDetector(String defaultRegion, long maxTries, Strictness strictness) {
    if (!UTIL.getSupportedRegions().contains(defaultRegion)) {
      throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "'");
    }
    this.defaultRegion = defaultRegion;
    this.maxTries = maxTries;
    this.strictness = strictness;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  public Strictness strictness() {
    return strictness;
  }

  private static final Detector[] OTHER_NUMBERS = {
      new PaymentCardDetector(), new IbanDetector(), new IpAddressDetector()};

  /**
   * Blanks out card numbers, IBANs and IP addresses (same length, so offsets stay): they are not
   * phone numbers, and libphonenumber spends most of its time (~0.8 ms per number-rich KiB)
   * trying to read their digit groups as one.
   */
  private static String maskOtherNumbers(String text) {
    char[] chars = null;
    for (Detector d : OTHER_NUMBERS) {
      for (Span sp : d.find(text)) {
        if (chars == null) {
          chars = text.toCharArray();
        }
        Arrays.fill(chars, sp.start(), sp.end(), ' ');
      }
    }
    return chars == null ? text : new String(chars);
  }

  /** 215.42.154.15(/23) is an IPv4 address, even when its digits make a valid phone number. */
  private static boolean dottedQuad(String raw) {
    int end = IpAddressDetector.parseV4(raw, 0);
    return end > 0 && (end == raw.length() || raw.charAt(end) == '/' || raw.charAt(end) == ':');
  }

  /** ORD-2015-731033, build/2154215415: digits that continue a code are not a phone number. */
  private static boolean gluedToCode(String text, int start, int end) {
    char before = Chars.at(text, start - 1);
    char after = Chars.at(text, end);
    boolean left = (before == '-' || before == '/' || before == '_' || before == '#')
        && Chars.isAsciiAlnum(Chars.at(text, start - 2));
    boolean right = (after == '-' || after == '/' || after == '_') && Chars.isAsciiAlnum(Chars.at(text, end + 1));
    return left || right;
  }

  /**
   * Digits that continue another number: the fraction of a decimal (-70.48636910 46.0977) or the
   * minutes of a time (12:56 – 07-02-2020).
   */
  private static boolean continuesNumber(String text, int start, int end) {
    char before = Chars.at(text, start - 1);
    char after = Chars.at(text, end);
    return (before == '.' || before == ',' || before == ':') && Chars.isAsciiDigit(Chars.at(text, start - 2))
        || (after == '.' || after == ',') && Chars.isAsciiDigit(Chars.at(text, end + 1));
  }

  /** 152.94413545: digits, one point, digits is a decimal number however many digits it has. */
  private static boolean decimal(String raw) {
    int dot = raw.indexOf('.');
    if (dot <= 0 || dot != raw.lastIndexOf('.') || dot == raw.length() - 1) {
      return false;
    }
    for (int k = 0; k < raw.length(); k++) {
      if (k != dot && !Chars.isAsciiDigit(raw.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  /** abc8005001234, 8005001234def: the VALID leniency checks this itself, POSSIBLE does not. */
  private static boolean touchesWord(String text, int start, int end) {
    return Character.isLetterOrDigit(Chars.at(text, start - 1)) || Character.isLetterOrDigit(Chars.at(text, end));
  }

  /** "+99 235 3176" is not +992 353176: a written country code is one group, not split by a separator. */
  private static boolean countryCodeWrittenWhole(String raw, PhoneNumber number) {
    if (raw.charAt(0) != '+' && raw.charAt(0) != '＋') {
      return true;
    }
    int k = 1;
    while (k < raw.length() && Character.isDigit(raw.charAt(k))) {
      k++;
    }
    return raw.substring(1, k).startsWith(Integer.toString(number.getCountryCode()));
  }

  /** North American numbers are NXX-NXX-XXXX: area code and exchange never start with 0 or 1. */
  private static boolean nanpShaped(PhoneNumber number) {
    if (number.getCountryCode() != 1) {
      return true;
    }
    String national = Long.toString(number.getNationalNumber());
    return national.length() == 10 && national.charAt(0) >= '2' && national.charAt(3) >= '2';
  }

  /** Words that say the number after them is something else (order #4155550100, ISBN ...). */
  private static final Set<String> OTHER_NUMBER_WORDS = Set.of("order", "orders", "invoice", "inv", "tracking",
      "track", "ticket", "tickets", "isbn", "issn", "ref", "reference", "serial", "sku", "account", "acct", "case",
      "po", "id", "confirmation", "booking", "transaction", "txn", "receipt", "shipment", "parcel", "awb", "claim",
      "policy", "member", "patient", "item", "part", "model", "build", "issue", "bug", "pr", "commit", "release",
      "version", "batch", "lot", "container", "seal", "vin", "imei", "ean", "upc", "gtin", "pnr", "routing", "iban",
      "bestellung", "rechnung", "commande", "facture", "pedido", "factura", "ordine", "fattura");

  /** Words that announce a phone number, in several languages (lower case). */
  private static final List<String> PHONE_WORDS = List.of("phone", "tel", "tél", "telephone", "téléphone",
      "telefon", "telefono", "teléfono", "telefone", "tfno", "mobile", "mob", "cell", "móvil", "movil", "celular",
      "cellulare", "handy", "portable", "fax", "call", "calling", "ring", "text", "sms", "whatsapp", "signal",
      "hotline", "dial", "reach", "contact", "rufnummer", "anrufen", "appelez", "llame", "llamar", "ligue",
      "телефон", "тел", "電話", "电话", "手机", "携帯", "전화");
  static final int PHONE_WORD_WINDOW = 40;
  private static final Set<Character.UnicodeScript> UNSPACED = Set.of(Character.UnicodeScript.HAN,
      Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA, Character.UnicodeScript.HANGUL);

  /**
   * A phone word starts within the window before the number. In scripts that space their words it
   * must start a word, and a short one ("tel", "sms") must also end one, so "hotel" or "telling"
   * do not count; Chinese, Japanese and Korean words count wherever they stand.
   */
  private static boolean phoneWordBefore(String text, int start) {
    int from = Math.max(0, start - PHONE_WORD_WINDOW);
    String window = text.substring(from, start).toLowerCase(Locale.ROOT);
    for (String w : PHONE_WORDS) {
      boolean spaced = !UNSPACED.contains(Character.UnicodeScript.of(w.codePointAt(0)));
      for (int at = window.indexOf(w); at >= 0; at = window.indexOf(w, at + 1)) {
        boolean starts = !Character.isLetter(Chars.at(window, at - 1));
        boolean ends = !Character.isLetter(Chars.at(window, at + w.length()));
        if (!spaced || starts && (ends || w.length() >= 4)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A + prefix, brackets, or separators between digit groups: the way people write phone numbers. */
  private static boolean formattedLikePhone(String raw) {
    char first = raw.charAt(0);
    if (first == '+' || first == '＋' || raw.indexOf('(') >= 0) {
      return true;
    }
    boolean digitSeen = false;
    boolean gap = false;
    for (int k = 0; k < raw.length(); k++) {
      char c = raw.charAt(k);
      if (Character.isDigit(c)) {
        if (gap && digitSeen) {
          return true;
        }
        digitSeen = true;
        gap = false;
      } else {
        gap = true;
      }
    }
    return false;
  }

  /** Fewer digits than the shortest number libphonenumber can validate: skip its costly scan. */
  static final int MIN_DIGITS = 5;

  @Override
  public List<Span> find(String text) {
    int digits = 0;
    for (int i = 0, n = text.length(); i < n && digits < MIN_DIGITS; i++) {
      if (Character.isDigit(text.charAt(i))) {
        digits++;
      }
    }
    if (digits < MIN_DIGITS) {
      return List.of();
    }
    List<Span> out = new ArrayList<>();
    String scanned = maskOtherNumbers(text);
    for (PhoneNumberMatch m : UTIL.findNumbers(scanned, defaultRegion, strictness.leniency, maxTries)) {
      int start = m.start();
      int end = m.end();
      String raw = m.rawString();
      // "(+44 20 7946 0958)": the matcher keeps an opening bracket whose partner is outside
      if (raw.startsWith("(") && raw.indexOf(')') < 0) {
        start++;
        raw = raw.substring(1);
      }
      if (raw.endsWith(")") && raw.indexOf('(') < 0) {
        end--;
        raw = raw.substring(0, raw.length() - 1);
      }
      if (raw.isEmpty() || dottedQuad(raw) || decimal(raw) || gluedToCode(scanned, start, end)
          || touchesWord(scanned, start, end) || continuesNumber(scanned, start, end)
          || !nanpShaped(m.number()) || !countryCodeWrittenWhole(raw, m.number())
          || NumberLabels.follows(scanned, start, OTHER_NUMBER_WORDS)
          || !(formattedLikePhone(raw) || phoneWordBefore(scanned, start))) {
        continue;
      }
      out.add(new Span(start, end));
    }
    return Spans.normalize(out);
  }
}
