package io.flywheel.safety.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed corpus files are exactly the generator's output (so they cannot drift). */
class CorpusUpToDateTest {

  @Test
  void committedFilesMatchTheGenerator() throws IOException {
    for (Map.Entry<String, String> e : CorpusGenerator.generate().entrySet()) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(e.getKey())) {
        assertNotNull(in, e.getKey() + " missing: run CorpusGenerator (see docs/benchmarks.md)");
        assertEquals(e.getValue(), new String(in.readAllBytes(), StandardCharsets.UTF_8),
            e.getKey() + " differs from CorpusGenerator's output: regenerate it");
      }
    }
  }
}
