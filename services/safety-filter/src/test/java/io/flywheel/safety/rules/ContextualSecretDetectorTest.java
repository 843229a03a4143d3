package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import org.junit.jupiter.api.Test;

class ContextualSecretDetectorTest {

  private final ContextualSecretDetector d = new ContextualSecretDetector();

  @Test
  void randomTokenAfterAContextWord() {
    finds(d, "export COHERE_API_KEY=Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0dS3aK8pQ2x", "Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0dS3aK8pQ2x");
    finds(d, "api-key: 3f9a1c7e5b2d8f4a6c0e9b7d5f3a1c8e", "3f9a1c7e5b2d8f4a6c0e9b7d5f3a1c8e");
    finds(d, "Authorization: Bearer Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d.", "Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d");
    finds(d, "{\"token\": \"Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d\"}", "Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d");
    finds(d, "AccountName=x;AccountKey=q9Zk3P+Lm2Nv7Bc4R8tY1wZ6jH5gF0dS3aK8pQ2xM7nL4vB9cR6yW1zH5jG8kD2s==;Endpoint",
        "q9Zk3P+Lm2Nv7Bc4R8tY1wZ6jH5gF0dS3aK8pQ2xM7nL4vB9cR6yW1zH5jG8kD2s==");
  }

  @Test
  void identifiersPlaceholdersAndWordsAreNotSecrets() {
    findsNothing(d, "api_key = os.environ[\"OPENAI_API_KEY\"]");
    findsNothing(d, "token: ${{ secrets.DEPLOY_TOKEN }}");
    findsNothing(d, "Authorization: Bearer <your-token>");
    findsNothing(d, "\"api_key\": \"YOUR_API_KEY_HERE\"");
    findsNothing(d, "secret: process.env.STRIPE_SECRET_KEY_FOR_PRODUCTION");
    findsNothing(d, "the tokenizer: Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d"); // "token" inside a word
    findsNothing(d, "token count: 12345678901234567890123"); // digits only
    findsNothing(d, "api_key=aaaaaaaaaaaaaaaaaaaaaaaa11");
    findsNothing(d, "Xa3kP9qL2mN7vB4cR8tY1wZ6jH5gF0d"); // no context word
  }
}
