package io.flywheel.tools;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Every time option of the CLI: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d},
 * ISO-8601 ({@code PT30S}), or a bare number of seconds, as the services' configuration reads them.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    @Override
    public Duration convert(String text) {
        Duration duration = parse(text.trim());
        if (duration.isNegative()) {
            throw new TypeConversionException("'" + text + "' is negative");
        }
        return duration;
    }

    private static Duration parse(String text) {
        Matcher shortForm = SHORT.matcher(text.toLowerCase(Locale.ROOT));
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            String unit = shortForm.group(2);
            return switch (unit == null ? "s" : unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "' is not a duration (e.g. 500ms, 30s, 5m, 1h, 7d or PT30S)");
        }
    }
}
