package io.flywheel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The query command without a service: what a person sees when nothing answers, or the question is malformed. */
class QueryCommandTest {

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = FlywheelTools.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exitCode = command.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServiceThatIsNotThereIsOneMessageAndExitCode3() throws Exception {
        String target = "127.0.0.1:" + closedPort();
        for (String[] query : List.of(new String[] {"keys", "--aggregator", target}, new String[] {"strata", "--sampler", target},
                new String[] {"risk", "user-1", "--safety", target}, new String[] {"policy-set", "--safety", target, "--json"})) {
            String[] args = new String[query.length + 1];
            args[0] = "query";
            System.arraycopy(query, 0, args, 1, query.length);
            Result result = run(args);
            assertEquals(QueryCommand.UNREACHABLE, result.exitCode(), result.toString());
            assertTrue(result.err().startsWith("error: UNAVAILABLE from " + target), result.err());
            assertTrue(result.err().contains("is the service running there?"), result.err());
            assertEquals("", result.out());
        }
    }

    @Test
    void malformedQuestionsAreRefusedBeforeAnyCall() {
        Result noKey = run("query", "stats", "--aggregator", "127.0.0.1:1");
        assertEquals(2, noKey.exitCode());
        assertTrue(noKey.err().contains("give MODEL VERSION PROMPT, or --all"), noKey.err());
        Result badTarget = run("query", "keys", "--aggregator", "no-port-here");
        assertEquals(2, badTarget.exitCode());
        assertTrue(badTarget.err().contains("'no-port-here' is not HOST:PORT"), badTarget.err());
        Result badRanking = run("query", "top", "--by", "LOUDEST");
        assertEquals(2, badRanking.exitCode());
        assertTrue(badRanking.err().contains("LOUDEST"), badRanking.err());
    }

    @Test
    void tablesAlignNumbersRight() {
        List<String> lines = new Table("KEY", "VOTES", "NOTE").row("a", 5, "x").row("longer-key", 1234, "-").lines();
        assertEquals(List.of("KEY         VOTES  NOTE", "a               5  x", "longer-key   1234  -"), lines);
    }
}
