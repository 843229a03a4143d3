package io.flywheel.tools;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code flywheel-tools}: operator and developer commands for a Flywheel stack. Each area is a
 * parent command with subcommands, so new ones (e.g. {@code policies apply}) slot in beside these.
 */
@Command(name = "flywheel-tools",
        mixinStandardHelpOptions = true,
        versionProvider = FlywheelTools.Version.class,
        description = "Flywheel operator and developer tools.",
        subcommands = {
                TopicsCommand.class,
                RegistryCommand.class,
                FeedbackCommand.class,
                CompletionsCommand.class,
                PoliciesCommand.class,
                QueryCommand.class,
                DlqCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class FlywheelTools {

    // Held strongly so the level sticks: the registry client warns about its default Vert.x on every run.
    private static final Logger APICURIO_CLIENT = Logger.getLogger("io.apicurio.registry.client.common");

    public static void main(String[] args) {
        APICURIO_CLIENT.setLevel(Level.SEVERE);
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new FlywheelTools())
                .registerConverter(Duration.class, new DurationConverter())
                .setExecutionExceptionHandler((error, command, parsed) -> {
                    // A message, not a stack trace: these are operator commands.
                    StringBuilder message = new StringBuilder("error: ").append(error);
                    for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                        message.append("\n  caused by: ").append(cause);
                    }
                    command.getErr().println(message);
                    return 2;
                });
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FlywheelTools.class.getPackage().getImplementationVersion();
            return new String[] {"flywheel-tools " + (version == null ? "(development)" : version)};
        }
    }
}
