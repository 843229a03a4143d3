package io.flywheel.safety.rules;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Phone numbers, found and validated by libphonenumber ({@code findNumbers} with
 * {@link PhoneNumberUtil.Leniency#VALID}): the number must be valid for its region, and
 * numbers without a country code are read in the configured default region. Its matcher uses
 * bounded patterns and stops after {@code maxTries} candidates, so a hostile text cannot make it
 * slow; numbers beyond that many candidates in one text are not found.
 */
public final class PhoneDetector implements Detector {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String defaultRegion;
  private final long maxTries;

  public PhoneDetector(String defaultRegion, long maxTries) {
    if (!UTIL.getSupportedRegions().contains(defaultRegion)) {
      throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "'");
    }
    this.defaultRegion = defaultRegion;
    this.maxTries = maxTries;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  @Override
  public List<Span> find(String text) {
    List<Span> out = new ArrayList<>();
    for (PhoneNumberMatch m : UTIL.findNumbers(text, defaultRegion, PhoneNumberUtil.Leniency.VALID, maxTries)) {
      out.add(new Span(m.start(), m.end()));
    }
    return Spans.normalize(out);
  }
}
