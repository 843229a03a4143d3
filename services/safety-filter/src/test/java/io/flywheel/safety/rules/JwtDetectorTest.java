package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JwtDetectorTest {

  private static final String JWT_IO = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
      + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
      + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

  private final JwtDetector d = new JwtDetector();

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void jwtIoExampleAndUnsignedToken() {
    finds(d, "Authorization: Bearer " + JWT_IO + ".", JWT_IO);
    String none = b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"42\"}") + ".";
    finds(d, "t=" + none + " end", none);
  }

  @Test
  void lookAlikes() {
    findsNothing(d, b64("{\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"42\"}") + ".c2lnbmF0dXJl"); // no alg
    findsNothing(d, b64("not json at all") + "." + b64("{}") + ".c2ln");
    findsNothing(d, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"); // two parts
    findsNothing(d, "io.flywheel.safety and www.example.com and a.b.c");
    findsNothing(d, "x" + JWT_IO);
  }
}
