package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

  private static final String MIXED = "Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0dS3aK8pQ2xM7nL4vB9cR6yW1zH5jG8kD2sA7qP4mX9nB3vL6cR0tY1q"
      + "Wz8Lm3Nb6Vc9Xd2Ks5Jh7Gf4Ty1Re0Wq";
  private static final String HEX = "3f9a1c7e5b2d8f4a6c0e9b7d5f3a1c8e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a";
  private static final String LETTERS = "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKl";

  private static String alnum(int n) {
    return MIXED.substring(0, n);
  }

  private static String hex(int n) {
    return HEX.substring(0, n);
  }

  /** One key per format of SecretKeyDetector.FORMATS. */
  static final List<String> KEYS = List.of(
      "AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A", "ABIA2HXTQ4PJMU3NWKE5", "ACCA7QZ3HJ4KLM2NPX6B",
      "ghp_" + alnum(36), "gho_" + alnum(36), "ghu_" + alnum(36), "ghs_" + alnum(36), "ghr_" + alnum(36),
      "github_pat_" + alnum(22) + "_" + alnum(59),
      "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", "xoxa-2-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy",
      "xoxp-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", "xoxo-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy",
      "xoxs-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy", "xoxr-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy",
      "sk_live_" + alnum(24), "rk_live_" + alnum(30), "sk_test_" + alnum(99), "rk_test_" + alnum(24),
      "AIza" + alnum(33) + "_-", "glpat-" + alnum(20), "npm_" + alnum(36),
      "sk-proj-" + alnum(74) + "T3BlbkFJ" + alnum(74), "sk-svcacct-" + alnum(40) + "T3BlbkFJ" + alnum(40),
      "sk-admin-" + alnum(40) + "_" + alnum(20), "sk-" + alnum(20) + "T3BlbkFJ" + alnum(20), "sk-" + hex(32),
      "sk-or-v1-" + hex(64), "sk-ant-api03-" + alnum(80) + "-" + alnum(12) + "AA", "sk-ant-admin01-" + alnum(93) + "AA",
      "hf_" + LETTERS.substring(0, 34), "api_org_" + LETTERS.substring(0, 34), "r8_" + alnum(37), "gsk_" + alnum(52),
      "pplx-" + alnum(48), "xai-" + alnum(80), "lsv2_pt_" + hex(32) + "_" + hex(10), "lsv2_sk_" + hex(32) + "_" + hex(10),
      "shpat_" + hex(32), "shpca_" + hex(32), "shppa_" + hex(32), "shpss_" + hex(32), "dapi" + hex(32),
      "dapi" + hex(32) + "-2", "dop_v1_" + hex(64), "doo_v1_" + hex(64), "dor_v1_" + hex(64),
      "pypi-AgEIcHlwaS5vcmc" + alnum(60), "dckr_pat_" + alnum(27), "lin_api_" + alnum(40),
      "PMAK-" + hex(24) + "-" + hex(34), "sbp_" + hex(40));

  /** Formats whose body has a range of lengths: one char less is still a key. */
  static final List<String> VARIABLE_LENGTH = List.of("xox", "sk_", "rk_", "sk-proj-", "sk-svcacct-", "sk-admin-",
      "sk-ant-", "pypi-");

  @Test
  void everyFormatIsFoundWholeAndExactLengthOnesNotOneCharShort() {
    Set<String> covered = new TreeSet<>();
    for (String key : KEYS) {
      finds(d, "key: " + key + " (rotate it)", key);
      if (VARIABLE_LENGTH.stream().noneMatch(key::startsWith)) {
        findsNothing(d, "key: " + key.substring(0, key.length() - 1) + "(");
      }
      for (SecretKeyDetector.KeyFormat f : SecretKeyDetector.FORMATS) {
        if (key.startsWith(f.prefix()) && f.body().matches(key, f.prefix().length(), key.length())) {
          covered.add(f.issuer() + " " + f.prefix());
        }
      }
    }
    Set<String> all = new TreeSet<>();
    SecretKeyDetector.FORMATS.forEach(f -> all.add(f.issuer() + " " + f.prefix()));
    assertEquals(all, covered, "every format has a sample key");
  }

  @Test
  void aiProviderLookAlikes() {
    findsNothing(d, "pip install sk-learn-extra-utilities-and-more-tools-for-you");
    findsNothing(d, "sk-" + "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"); // one case, no digits
    findsNothing(d, "hf_" + "abcdefghijklmnopqrstuvwxyzabcdefgh"); // one case
    findsNothing(d, "hf_hub_download_model_weights_to_cache_dir");
    findsNothing(d, "sk-ant-api03-short");
    findsNothing(d, "sk-proj-" + "x".repeat(60));
    findsNothing(d, "r8_" + "X".repeat(37));
  }
}
