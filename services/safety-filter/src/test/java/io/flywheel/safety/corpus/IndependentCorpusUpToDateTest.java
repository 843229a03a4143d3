package io.flywheel.safety.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed independent corpus is exactly what its generator produces from its fixed seed.
 * With {@code -Dcorpus.regenerate=true} it rewrites the file first (then the check passes).
 */
class IndependentCorpusUpToDateTest {

  @Test
  void committedFileMatchesTheGenerator() throws IOException {
    if (Boolean.getBoolean("corpus.regenerate")) {
      IndependentCorpusGenerator.write(Path.of("src", "test", "resources"));
      return;
    }
    String generated = IndependentCorpusGenerator.generate();
    assertEquals(generated, IndependentCorpusGenerator.generate(), "the generator is not deterministic");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(IndependentCorpusGenerator.RESOURCE)) {
      assertNotNull(in, IndependentCorpusGenerator.RESOURCE + " missing: regenerate it (see IndependentCorpusGenerator)");
      assertEquals(generated, new String(in.readAllBytes(), StandardCharsets.UTF_8),
          IndependentCorpusGenerator.RESOURCE + " differs from IndependentCorpusGenerator's output: regenerate it");
    }
  }
}
