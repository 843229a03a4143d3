package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import org.junit.jupiter.api.Test;

class EmailDetectorTest {

  private final EmailDetector d = new EmailDetector();

  @Test
  void addresses() {
    finds(d, "mail john.doe@example.com.", "john.doe@example.com");
    finds(d, "<Jane+tag@Mail.Example.co.uk>", "Jane+tag@Mail.Example.co.uk");
    finds(d, "mailto:o'brien@example.ie", "o'brien@example.ie");
    finds(d, "jürgen@münchen.de and x_y-z@sub-domain.example.org", "jürgen@münchen.de",
        "x_y-z@sub-domain.example.org");
  }

  @Test
  void lookAlikes() {
    findsNothing(d, "npm i lodash@4.17.21");
    findsNothing(d, "icon@2x.png");
    findsNothing(d, "@Override public");
    findsNothing(d, "user@localhost");
    findsNothing(d, "a..b@example.com");
    findsNothing(d, "a.@example.com");
    findsNothing(d, "x@example.c");
    findsNothing(d, "x@-example.com");
    findsNothing(d, "x@example..com");
    findsNothing(d, "name at example dot com");
    findsNothing(d, "image@sha256:abcdef");
  }
}
