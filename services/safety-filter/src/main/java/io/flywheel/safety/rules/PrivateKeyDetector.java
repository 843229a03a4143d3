package io.flywheel.safety.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM / OpenSSH / PGP private-key blocks: {@code -----BEGIN <...> PRIVATE KEY[ BLOCK]-----},
 * a body of base64 lines (optionally with RFC 1421 headers such as {@code Proc-Type}, literal
 * {@code \n} escapes as in JSON service-account files, and a PGP armor checksum), and the
 * matching END line. The body must hold at least 64 base64 chars; an unencrypted PEM body must
 * decode to a DER SEQUENCE and an OpenSSH body to {@code openssh-key-v1}. A block cut off before
 * its END line still counts (up to the end of its body): a truncated key is still a leak.
 */
public final class PrivateKeyDetector implements Detector {

  private static final String BEGIN = "-----BEGIN ";
  private static final String DASHES = "-----";
  private static final int MIN_BODY = 64;

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int from = 0;
    int b;
    while ((b = text.indexOf(BEGIN, from)) >= 0) {
      from = b + BEGIN.length();
      int labelEnd = text.indexOf(DASHES, from);
      if (labelEnd < 0 || labelEnd - from > 40) {
        continue;
      }
      String label = text.substring(from, labelEnd);
      if (!label.matches("(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?")) {
        continue;
      }
      int bodyStart = labelEnd + DASHES.length();
      Body body = readBody(text, bodyStart);
      String endLine = "-----END " + label + DASHES;
      int end;
      if (text.startsWith(endLine, body.end)) {
        end = body.end + endLine.length();
      } else {
        end = body.lastBase64End;
      }
      if (body.base64.length() >= MIN_BODY && plausible(label, body)) {
        out.add(new Span(b, end));
        from = end;
      }
    }
    return out;
  }

  private record Body(StringBuilder base64, boolean headers, int end, int lastBase64End) {}

  /** Reads lines of base64, headers and whitespace (real or escaped) from pos. */
  private static Body readBody(String text, int pos) {
    int n = text.length();
    StringBuilder b64 = new StringBuilder();
    boolean headers = false;
    int lastB64 = pos;
    while (pos < n) {
      char c = text.charAt(pos);
      if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
        pos++;
      } else if (c == '\\' && pos + 1 < n && (text.charAt(pos + 1) == 'n' || text.charAt(pos + 1) == 'r')) {
        pos += 2;
      } else if (c == '-') {
        break; // the END line (or something else that ends the body)
      } else if (isB64(c)) {
        int s = pos;
        int h = pos;
        while (h < n && (Chars.isAsciiAlnum(text.charAt(h)) || text.charAt(h) == '-')) {
          h++;
        }
        while (pos < n && isB64(text.charAt(pos))) {
          pos++;
        }
        if (h < n && text.charAt(h) == ':') {
          pos = h;
          // "Proc-Type: 4,ENCRYPTED" style header: skip to the end of the line
          headers = true;
          while (pos < n && text.charAt(pos) != '\n' && !(text.charAt(pos) == '\\' && Chars.at(text, pos + 1) == 'n')) {
            pos++;
          }
        } else if (text.charAt(s) == '=' && pos - s == 5) {
          lastB64 = pos; // PGP armor checksum "=abcd"
        } else {
          b64.append(text, s, pos);
          lastB64 = pos;
        }
      } else {
        break;
      }
    }
    return new Body(b64, headers, pos, lastB64);
  }

  private static boolean isB64(char c) {
    return Chars.isAsciiAlnum(c) || c == '+' || c == '/' || c == '=';
  }

  private static boolean plausible(String label, Body body) {
    byte[] decoded;
    try {
      String b64 = body.base64.toString();
      int cut = b64.length() - b64.length() % 4; // a truncated key may end mid-quantum
      decoded = Base64.getMimeDecoder().decode(b64.substring(0, cut));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (decoded.length < 32) {
      return false;
    }
    if (label.startsWith("OPENSSH")) {
      return new String(decoded, 0, 14, StandardCharsets.US_ASCII).equals("openssh-key-v1");
    }
    if (label.startsWith("PGP") || body.headers) {
      return true; // armored packets / encrypted legacy PEM: random-looking bytes by design
    }
    return (decoded[0] & 0xff) == 0x30;
  }
}
