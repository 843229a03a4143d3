package io.flywheel.safety.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The built-in detectors by the names a {@code SafetyPolicy.builtin} uses; built once. */
public final class BuiltinDetectors {

  private final Map<String, Detector> byName;

  public BuiltinDetectors(DetectorSettings settings) {
    Map<String, Detector> m = new LinkedHashMap<>();
    m.put("email", new EmailDetector());
    m.put("phone", new PhoneDetector(settings.phoneDefaultRegion(), settings.phoneMaxTries(),
        PhoneDetector.Strictness.POSSIBLE));
    m.put("phone_strict", new PhoneDetector(settings.phoneDefaultRegion(), settings.phoneMaxTries(),
        PhoneDetector.Strictness.VALID));
    m.put("payment_card", new PaymentCardDetector());
    m.put("iban", new IbanDetector());
    m.put("us_ssn", new UsSsnDetector());
    m.put("ip_address", new IpAddressDetector());
    m.put("secret_key", new SecretKeyDetector());
    m.put("contextual_secret", new ContextualSecretDetector());
    m.put("jwt", new JwtDetector());
    m.put("private_key", new PrivateKeyDetector());
    m.put("prompt_injection", new KeywordDetector(PromptInjectionPhrases.phrases()));
    this.byName = Map.copyOf(m);
    this.names = Set.copyOf(m.keySet());
  }

  private final Set<String> names;

  public Optional<Detector> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Set<String> names() {
    return names;
  }
}
