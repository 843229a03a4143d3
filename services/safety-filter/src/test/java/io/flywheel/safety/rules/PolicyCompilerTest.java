package io.flywheel.safety.rules;

import static io.flywheel.events.v1.SafetyAction.FLAG;
import static io.flywheel.events.v1.SafetyAction.REDACT;
import static io.flywheel.events.v1.SafetyTarget.BOTH;
import static io.flywheel.safety.rules.Policies.COMPILER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flywheel.events.v1.SafetyAction;
import io.flywheel.events.v1.SafetyPolicy;
import io.flywheel.events.v1.SafetyTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {

  private static String rejection(SafetyPolicy p) {
    return assertInstanceOf(PolicyCompiler.Rejected.class, COMPILER.compile(p)).reason();
  }

  @Test
  void compilesEachDetectorKind() {
    for (String name : List.of("email", "phone", "payment_card", "iban", "us_ssn", "ip_address", "secret_key",
        "jwt", "private_key", "prompt_injection")) {
      assertInstanceOf(PolicyCompiler.Compiled.class, COMPILER.compile(Policies.builtin("p." + name, name, FLAG, BOTH)));
    }
    assertInstanceOf(PolicyCompiler.Compiled.class,
        COMPILER.compile(Policies.keywords("k", "c", List.of("a", "b"), FLAG, BOTH)));
    assertInstanceOf(PolicyCompiler.Compiled.class, COMPILER.compile(Policies.regex("r", "c", "x+y", FLAG, BOTH)));
  }

  @Test
  void rejectsBadRegexWithTheEngineMessage() {
    assertTrue(rejection(Policies.regex("r", "c", "(unclosed", FLAG, BOTH)).startsWith("regex does not compile as RE2"));
    // look-behind and back-references are not linear-time: RE2 refuses them
    assertTrue(rejection(Policies.regex("r", "c", "(?<=a)b", FLAG, BOTH)).contains("RE2"));
    assertTrue(rejection(Policies.regex("r", "c", "(a)\\1", FLAG, BOTH)).contains("RE2"));
    assertEquals("regex matches the empty string, so it would match every text",
        rejection(Policies.regex("r", "c", "a*", FLAG, BOTH)));
    assertEquals("regex is empty", rejection(Policies.regex("r", "c", "", FLAG, BOTH)));
  }

  @Test
  void rejectsUnknownBuiltinEmptyKeywordsAndMissingFields() {
    assertTrue(rejection(Policies.builtin("b", "credit_card", FLAG, BOTH))
        .startsWith("unknown builtin detector 'credit_card' (known: contextual_secret, email, iban, ip_address, jwt"));
    assertEquals("keyword list is empty", rejection(Policies.keywords("k", "c", List.of(), FLAG, BOTH)));
    assertEquals("keyword list is empty", rejection(Policies.keywords("k", "c", List.of(" "), FLAG, BOTH)));
    assertEquals("action missing (FLAG, REDACT or BLOCK)",
        rejection(Policies.regex("r", "c", "x", SafetyAction.SAFETY_ACTION_UNSPECIFIED, BOTH)));
    assertEquals("target missing (PROMPT, RESPONSE or BOTH)",
        rejection(Policies.regex("r", "c", "x", REDACT, SafetyTarget.SAFETY_TARGET_UNSPECIFIED)));
    assertEquals("no detector (builtin, keywords or regex)",
        rejection(Policies.base("n", "c", FLAG, BOTH).build()));
    assertTrue(rejection(Policies.regex("", "c", "x", FLAG, BOTH)).startsWith("id must be"));
    assertTrue(rejection(Policies.regex("r", "bad category]", "x", FLAG, BOTH)).startsWith("category must be"));
  }

  @Test
  void refusesTooExpensivePoliciesBySizeBeforeCompiling() {
    String word = "w".repeat(PolicyCompiler.MAX_KEYWORD_CHARS);
    List<String> many = java.util.Collections.nCopies(PolicyCompiler.MAX_KEYWORD_LIST_CHARS / word.length() + 1, word);
    assertTrue(rejection(Policies.keywords("k", "c", many, FLAG, BOTH)).startsWith("keyword list has 200200 chars in all"));
    assertTrue(rejection(Policies.regex("r", "c", "((a{100}){100}){100}", FLAG, BOTH))
        .startsWith("regex repeats up to 1000000 times"));
    assertTrue(rejection(Policies.regex("r", "c", "x".repeat(PolicyCompiler.MAX_REGEX_CHARS + 1), FLAG, BOTH))
        .startsWith("regex longer than"));
  }

  @Test
  void nestedRepetitionMultipliesAlongOneNestingPathOnly() {
    assertEquals(1, PolicyCompiler.nestedRepetition("ticket-[0-9]+"));
    assertEquals(5, PolicyCompiler.nestedRepetition("ticket-[0-9]{5}"));
    assertEquals(5, PolicyCompiler.nestedRepetition("a{2}b{5}"), "siblings do not multiply");
    assertEquals(600, PolicyCompiler.nestedRepetition("(a{20}b){30}"));
    assertEquals(40, PolicyCompiler.nestedRepetition("(x{2,40})"));
    assertEquals(1, PolicyCompiler.nestedRepetition("\\{100\\}[{]"), "escaped and bracketed braces are literals");
    assertTrue(PolicyCompiler.nestedRepetition("(((a{1000}){1000}){1000}){1000}") > PolicyCompiler.MAX_REGEX_REPETITION);
  }
}
