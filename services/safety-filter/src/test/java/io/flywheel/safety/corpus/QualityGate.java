package io.flywheel.safety.corpus;

/**
 * The precision and recall every detector must reach on a corpus; the quality tests and
 * docs/benchmarks.md read them from here.
 */
public record QualityGate(double minPrecision, double minRecall) {

  /** The project's own corpus (CorpusGenerator). */
  public static final QualityGate OWN_CORPUS = new QualityGate(0.99, 0.95);

  /** The independent corpus (IndependentCorpusGenerator, Datafaker), per category. */
  public static final QualityGate INDEPENDENT_CORPUS = new QualityGate(0.995, 0.98);

  public boolean passes(Tally t) {
    return t.precision() >= minPrecision && t.recall() >= minRecall;
  }
}
