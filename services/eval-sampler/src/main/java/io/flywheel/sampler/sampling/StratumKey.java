package io.flywheel.sampler.sampling;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * A stratum: the model name, and the locale when the policy stratifies by locale. Its text form
 * (the key of the stratum stores and of the query API) is the URL-encoded model name, then
 * {@code /} and the URL-encoded locale when there is one, e.g. {@code gpt-4o} or
 * {@code gpt-4o/de-CH}; strata of one model sort together. An empty locale is {@code und}
 * (BCP 47 "undetermined"), so the text form is never ambiguous.
 */
public record StratumKey(String model, Optional<String> locale) implements Comparable<StratumKey> {

    public static final String UNDETERMINED_LOCALE = "und";

    private static final Comparator<StratumKey> ORDER = Comparator.comparing(StratumKey::model)
            .thenComparing(key -> key.locale().orElse(""));

    public StratumKey {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(locale, "locale");
        if (model.isBlank()) {
            throw new IllegalArgumentException("a stratum needs a model name");
        }
        locale = locale.map(StratumKey::normaliseLocale);
    }

    public static StratumKey ofModel(String model) {
        return new StratumKey(model, Optional.empty());
    }

    public static StratumKey of(String model, String locale) {
        return new StratumKey(model, Optional.of(locale));
    }

    /** The same stratum without its locale. */
    public StratumKey modelOnly() {
        return locale.isEmpty() ? this : ofModel(model);
    }

    public String encode() {
        String text = enc(model);
        return locale.map(l -> text + '/' + enc(l)).orElse(text);
    }

    /** Parses {@link #encode()}'s text; throws IllegalArgumentException on anything else. */
    public static StratumKey decode(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("not a stratum (want model[/locale]): '" + text + "'");
        }
        String model = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        return parts.length == 1 ? ofModel(model) : of(model, URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
    }

    @Override
    public int compareTo(StratumKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return encode();
    }

    private static String normaliseLocale(String locale) {
        String trimmed = locale.trim();
        return trimmed.isEmpty() ? UNDETERMINED_LOCALE : trimmed;
    }

    private static String enc(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
