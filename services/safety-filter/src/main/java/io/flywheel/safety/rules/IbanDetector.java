package io.flywheel.safety.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * IBANs, electronic form ({@code DE89370400440532013000}) or printed in groups of four
 * ({@code DE89 3704 0044 0532 0130 00}): a known country code, that country's exact length
 * (24–28 chars for the countries outside the registry, {@link #NATIONAL_ONLY}), check digits 02–98
 * and the ISO 7064 mod-97 check. Upper-case only, as IBANs are written.
 */
public final class IbanDetector implements Detector {

  /** IBAN length per country (SWIFT IBAN registry). */
  public static final Map<String, Integer> LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20),
      Map.entry("AZ", 28), Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22),
      Map.entry("BH", 22), Map.entry("BI", 27), Map.entry("BR", 29), Map.entry("BY", 28),
      Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
      Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
      Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18),
      Map.entry("FK", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
      Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27),
      Map.entry("GT", 28), Map.entry("HN", 28), Map.entry("HR", 21), Map.entry("HU", 28),
      Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26),
      Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
      Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20),
      Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("LY", 25), Map.entry("MC", 27),
      Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MN", 20),
      Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28),
      Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24),
      Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
      Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("RU", 33), Map.entry("SA", 24),
      Map.entry("SC", 31), Map.entry("SD", 18), Map.entry("SE", 24), Map.entry("SI", 19),
      Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25),
      Map.entry("SV", 28), Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26),
      Map.entry("UA", 29), Map.entry("VA", 22), Map.entry("VG", 24), Map.entry("XK", 20),
      Map.entry("YE", 30));

  /**
   * Countries whose banks issue IBANs that the SWIFT registry does not list (yet): mostly the
   * West and Central African monetary unions, Algeria, Iran, Morocco, Madagascar, Mozambique. Their
   * published lengths differ between sources, so any length in [{@value #NATIONAL_MIN},
   * {@value #NATIONAL_MAX}] is accepted; the mod-97 check still applies.
   */
  static final java.util.Set<String> NATIONAL_ONLY = java.util.Set.of("AO", "BF", "BJ", "CF", "CG", "CI", "CM",
      "CV", "DZ", "GA", "GQ", "GW", "IR", "KM", "MA", "MG", "ML", "MZ", "NE", "SN", "TD", "TG");
  static final int NATIONAL_MIN = 24;
  static final int NATIONAL_MAX = 28;

  private static int minLength(String country) {
    Integer len = LENGTHS.get(country);
    return len != null ? len : NATIONAL_ONLY.contains(country) ? NATIONAL_MIN : -1;
  }

  private static int maxLength(String country) {
    Integer len = LENGTHS.get(country);
    return len != null ? len : NATIONAL_ONLY.contains(country) ? NATIONAL_MAX : -1;
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    char[] buf = new char[34];
    int i = 0;
    while (i + 4 <= n) {
      if (!isCandidateStart(text, i)) {
        i++;
        continue;
      }
      String country = text.substring(i, i + 2);
      int len = maxLength(country);
      if (len < 0) {
        i++;
        continue;
      }
      int count = 0;
      int j = i;
      while (count < len && j < n) {
        char c = text.charAt(j);
        if (Chars.isAsciiDigit(c) || (c >= 'A' && c <= 'Z')) {
          buf[count++] = c;
          j++;
        } else if (c == ' ' && count % 4 == 0 && count > 0 && j + 1 < n && Chars.isAsciiAlnum(text.charAt(j + 1))) {
          j++; // printed form: one space after every fourth char
        } else {
          break;
        }
      }
      if (count >= minLength(country) && !Chars.isWordChar(Chars.at(text, j)) && valid(buf, count)) {
        out.add(new Span(i, j));
        i = j;
      } else {
        i++;
      }
    }
    return out;
  }

  private static boolean isCandidateStart(String text, int i) {
    char a = text.charAt(i);
    char b = text.charAt(i + 1);
    return a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z'
        && Chars.isAsciiDigit(text.charAt(i + 2)) && Chars.isAsciiDigit(text.charAt(i + 3))
        && !Chars.isWordChar(Chars.at(text, i - 1));
  }

  /** Validates an IBAN in electronic form (no spaces). */
  public static boolean isValid(String iban) {
    String country = iban.length() >= 2 ? iban.substring(0, 2) : "";
    int len = iban.length();
    if (minLength(country) < 0 || len < minLength(country) || len > maxLength(country)) {
      return false;
    }
    for (int k = 2; k < len; k++) {
      char c = iban.charAt(k);
      if (!Chars.isAsciiDigit(c) && !(c >= 'A' && c <= 'Z')) {
        return false;
      }
    }
    return Chars.isAsciiDigit(iban.charAt(2)) && Chars.isAsciiDigit(iban.charAt(3)) && valid(iban.toCharArray(), len);
  }

  private static boolean valid(char[] iban, int len) {
    int check = (iban[2] - '0') * 10 + (iban[3] - '0');
    if (check < 2 || check > 98) {
      return false;
    }
    return mod97(iban, len) == 1;
  }

  /** ISO 7064 MOD 97-10 over the IBAN rearranged (first four chars moved to the end). */
  static int mod97(char[] iban, int len) {
    int rem = 0;
    for (int k = 0; k < len; k++) {
      char c = iban[(k + 4) % len];
      if (Chars.isAsciiDigit(c)) {
        rem = (rem * 10 + (c - '0')) % 97;
      } else {
        rem = (rem * 100 + (c - 'A' + 10)) % 97;
      }
    }
    return rem;
  }
}
