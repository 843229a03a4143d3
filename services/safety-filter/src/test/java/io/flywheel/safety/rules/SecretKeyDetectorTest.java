package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import org.junit.jupiter.api.Test;

class SecretKeyDetectorTest {

  private final SecretKeyDetector d = new SecretKeyDetector();

  @Test
  void publishedFormats() {
    finds(d, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE");
    finds(d, "token ghp_16C7e42F292c6912E7710c838347Ae178B4a ok", "ghp_16C7e42F292c6912E7710c838347Ae178B4a");
    String pat = "github_pat_11ABCDEFG0123456789abc_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll5Kk4Jj3Ii2Hh1Gg0Ff9".substring(0, 59);
    finds(d, pat, pat);
    finds(d, "SLACK=xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy");
    finds(d, "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
    finds(d, "key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q");
  }

  @Test
  void lookAlikes() {
    findsNothing(d, "AKIAIOSFODNN7EXAMPL"); // short
    findsNothing(d, "AKIAIOSFODNN7EXAMPLE1"); // long
    findsNothing(d, "AKIAIOSFODNN0EXAMPLE"); // 0 is not base32
    findsNothing(d, "akiaiosfodnn7example");
    findsNothing(d, "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    findsNothing(d, "sk_live_short");
    findsNothing(d, "xoxb-your-token-here");
    findsNothing(d, "myghp_16C7e42F292c6912E7710c838347Ae178B4a");
  }
}
