package io.flywheel.safety.rules;

/**
 * Settings of the built-in detectors.
 *
 * @param phoneDefaultRegion CLDR region used for phone numbers written without a country code
 * @param phoneMaxTries candidates libphonenumber examines per text before it gives up
 */
public record DetectorSettings(String phoneDefaultRegion, long phoneMaxTries) {

  public static final DetectorSettings DEFAULTS = new DetectorSettings("US", 10_000);
}
