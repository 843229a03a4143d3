package io.flywheel.tools;

import picocli.CommandLine.Option;

/** {@code --registry-url}, defaulting to {@code $FLYWHEEL_REGISTRY_URL} or the local stack's registry. */
final class RegistryOptions {

    @Option(names = "--registry-url", paramLabel = "URL",
            defaultValue = "${env:FLYWHEEL_REGISTRY_URL:-http://127.0.0.1:18080/apis/registry/v3}",
            description = "Base URL of the Apicurio Registry v3 API (default: $FLYWHEEL_REGISTRY_URL or ${DEFAULT-VALUE}).")
    String registryUrl;

    String url() {
        return registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
    }
}
