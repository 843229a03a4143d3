package io.flywheel.safety.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * JSON Web Tokens (JWS compact form, and five-part JWE): dot-separated base64url parts whose
 * first part decodes to a JSON object with a string {@code "alg"}, and whose other parts are
 * valid base64url (the signature may be empty for {@code alg: none}).
 */
public final class JwtDetector implements Detector {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_HEADER_CHARS = 4096;

  private static boolean isB64(char c) {
    return Chars.isAsciiAlnum(c) || c == '-' || c == '_';
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int from = 0;
    int i;
    while ((i = text.indexOf("ey", from)) >= 0) {
      from = i + 1;
      char before = Chars.at(text, i - 1);
      if (isB64(before) || before == '.') {
        continue;
      }
      List<int[]> parts = new ArrayList<>(5);
      int pos = i;
      while (true) {
        int s = pos;
        while (pos < n && isB64(text.charAt(pos))) {
          pos++;
        }
        parts.add(new int[] {s, pos});
        if (pos < n && text.charAt(pos) == '.' && parts.size() < 6) {
          pos++;
        } else {
          break;
        }
      }
      int count = parts.size();
      int end = parts.get(count - 1)[1];
      // "a.b.c." at the end of a sentence: the trailing dot is punctuation, not an empty part
      if (count == 4 || count == 6) {
        if (parts.get(count - 1)[0] == parts.get(count - 1)[1]) {
          count--;
          end = parts.get(count - 1)[1];
        }
      }
      if ((count != 3 && count != 5) || !valid(text, parts, count)) {
        from = Math.max(from, end);
        continue;
      }
      out.add(new Span(i, end));
      from = end;
    }
    return out;
  }

  private static boolean valid(String text, List<int[]> parts, int count) {
    int[] header = parts.get(0);
    if (header[1] - header[0] < 10 || header[1] - header[0] > MAX_HEADER_CHARS || parts.get(1)[1] == parts.get(1)[0]) {
      return false;
    }
    for (int k = 0; k < count; k++) {
      int len = parts.get(k)[1] - parts.get(k)[0];
      if (len % 4 == 1) {
        return false; // no base64 encoding has this length
      }
    }
    if (count == 3 && parts.get(1)[1] - parts.get(1)[0] < 4) {
      return false;
    }
    try {
      byte[] decoded = Base64.getUrlDecoder().decode(text.substring(header[0], header[1]));
      JsonNode node = JSON.readTree(decoded);
      return node != null && node.isObject() && node.path("alg").isTextual();
    } catch (IllegalArgumentException | java.io.IOException e) {
      return false;
    }
  }
}
