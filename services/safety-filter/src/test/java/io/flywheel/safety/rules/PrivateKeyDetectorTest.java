package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrivateKeyDetectorTest {

  private final PrivateKeyDetector d = new PrivateKeyDetector();

  static String der(int len, long seed) {
    byte[] b = new byte[len];
    new Random(seed).nextBytes(b);
    b[0] = 0x30;
    b[1] = (byte) 0x82;
    b[2] = (byte) ((len - 4) >> 8);
    b[3] = (byte) (len - 4);
    return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(b);
  }

  @Test
  void pemBlock() {
    String key = "-----BEGIN PRIVATE KEY-----\n" + der(150, 1) + "\n-----END PRIVATE KEY-----";
    finds(d, "here:\n" + key + "\nbye", key);
    String rsa = "-----BEGIN RSA PRIVATE KEY-----\n" + der(300, 2) + "\n-----END RSA PRIVATE KEY-----";
    finds(d, rsa, rsa);
  }

  @Test
  void jsonEscapedAndTruncated() {
    String body = der(120, 3).replace("\n", "\\n");
    String json = "-----BEGIN PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----\\n";
    finds(d, "{\"private_key\": \"" + json + "\"}", json.substring(0, json.length() - 2));
    String cut = "-----BEGIN EC PRIVATE KEY-----\n" + der(100, 4);
    finds(d, cut + "\n\n(rest omitted)", cut);
  }

  @Test
  void encryptedLegacyPemWithHeaders() {
    byte[] random = new byte[200];
    new Random(5).nextBytes(random);
    String key = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF\n\n"
        + Base64.getMimeEncoder().encodeToString(random) + "\n-----END RSA PRIVATE KEY-----";
    finds(d, key, key);
  }

  @Test
  void lookAlikes() {
    findsNothing(d, "-----BEGIN PUBLIC KEY-----\n" + der(150, 6) + "\n-----END PUBLIC KEY-----");
    findsNothing(d, "-----BEGIN CERTIFICATE-----\n" + der(150, 7) + "\n-----END CERTIFICATE-----");
    findsNothing(d, "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----");
    findsNothing(d, "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----");
    byte[] notDer = new byte[150];
    new Random(8).nextBytes(notDer);
    notDer[0] = 0x41;
    findsNothing(d, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(notDer)
        + "\n-----END PRIVATE KEY-----");
    findsNothing(d, "the header is -----BEGIN PRIVATE KEY----- followed by base64");
  }
}
