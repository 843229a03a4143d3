package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Option parsing of the CLI, without a broker: nothing here reaches a command's call(). */
class CommandOptionsTest {

    @Test
    void durationsTakeShortFormsIsoAndBareSeconds() {
        DurationConverter converter = new DurationConverter();
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofSeconds(30), converter.convert("30s"));
        assertEquals(Duration.ofMinutes(5), converter.convert("5m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertEquals(Duration.ofDays(7), converter.convert("7d"));
        assertEquals(Duration.ofSeconds(45), converter.convert("PT45S"));
        assertEquals(Duration.ofSeconds(60), converter.convert("60"), "a bare number is seconds, as before");
        assertThrows(TypeConversionException.class, () -> converter.convert("soon"));
        assertThrows(TypeConversionException.class, () -> converter.convert("-PT1S"));
    }

    @Test
    void everyTimeOptionOfTheCliIsADuration() {
        List<String> notDurations = FlywheelTools.commandLine().getSubcommands().values().stream()
                .flatMap(area -> area.getSubcommands().values().stream())
                .flatMap(command -> command.getCommandSpec().options().stream()
                        .filter(option -> option.longestName().matches("--.*(timeout|wait).*"))
                        .filter(option -> option.type() != Duration.class)
                        .map(option -> command.getCommandName() + " " + option.longestName()))
                .toList();
        assertTrue(notDurations.isEmpty(), "not durations: " + notDurations);
    }

    @Test
    void timeOptionsParseEveryForm() {
        FeedbackCommand.Consume consume = parsed("feedback", "consume", "--timeout", "750ms");
        assertEquals(Duration.ofMillis(750), consume.reading.timeout);
        RegistryCommand.Init init = parsed("registry", "init", "--wait", "2m");
        assertEquals(Duration.ofMinutes(2), init.wait);
        PoliciesCommand.Apply apply = parsed("policies", "apply", "--file", "pack.yaml", "--timeout", "45");
        assertEquals(Duration.ofSeconds(45), apply.timeout);
    }

    @ParameterizedTest
    @ValueSource(strings = {"feedback", "completions"})
    void bothTrafficCommandsRejectTheSameBadOptions(String area) {
        assertRejected(area, "--models", "0", "--models must be at least 1");
        assertRejected(area, "--count", "-1", "--count must be at least 0");
        assertRejected(area, "--rate", "-5", "--rate must be a finite number at least 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"feedback", "completions"})
    void bothTrafficCommandsTakeTheSameOptions(String area) {
        Object produce = parsed(area, "produce", "--count", "7", "--rate", "2.5", "--models", "3", "--seed", "11",
                "--bootstrap-servers", "b:1", "--registry-url", "http://r/apis/registry/v3/");
        TrafficOptions traffic = produce instanceof FeedbackCommand.Produce feedback
                ? feedback.traffic
                : ((CompletionsCommand.Produce) produce).traffic;
        assertEquals(7, traffic.count());
        assertEquals(2.5, traffic.rate());
        assertEquals(3, traffic.models());
        assertEquals(11, traffic.seed());
        assertEquals("b:1", traffic.kafka.bootstrapServers);
        assertEquals("http://r/apis/registry/v3", traffic.registry.url());
    }

    @Test
    void aRandomSeedIsChosenOnceSoTheSummaryCanPrintIt() {
        TrafficOptions traffic = this.<FeedbackCommand.Produce>parsed("feedback", "produce").traffic;
        assertEquals(traffic.seed(), traffic.seed());
    }

    @Test
    void sensitiveShareIsAShare() {
        assertRejected("completions", "--sensitive-share", "1.5", "--sensitive-share must be between 0 and 1");
    }

    /** The innermost command object after parsing a full command line. */
    private <T> T parsed(String... args) {
        CommandLine.ParseResult result = FlywheelTools.commandLine().parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return result.commandSpec().commandLine().getCommand();
    }

    private static void assertRejected(String area, String option, String value, String message) {
        StringWriter err = new StringWriter();
        CommandLine cli = FlywheelTools.commandLine();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(area, "produce", option, value);
        assertEquals(CommandLine.ExitCode.USAGE, exit, err.toString());
        assertTrue(err.toString().contains(message), err.toString());
    }
}
