package io.flywheel.runtime.config;

import io.flywheel.model.ProtobufSerdes;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Map;

/** Where the schema registry is, and the one {@link ProtobufSerdes} every service uses. */
@ConfigMapping(prefix = "flywheel.registry")
public interface RegistryConfig {

    /** Base URL of the Apicurio Registry v3 API, e.g. {@code http://127.0.0.1:18080/apis/registry/v3}. */
    @WithDefault("http://127.0.0.1:18080/apis/registry/v3")
    String url();

    /**
     * How long a start waits for the registry to resolve the schemas the service writes before it
     * fails; Kafka Streams starts only once they are resolved.
     */
    @WithDefault("3m")
    Duration startupPatience();

    /** Extra Apicurio serde settings ({@code apicurio.registry.*}), e.g. auth or TLS. */
    Map<String, String> serde();

    @ApplicationScoped
    class SerdesProducer {
        @Produces
        @ApplicationScoped
        ProtobufSerdes protobufSerdes(RegistryConfig config) {
            Map<String, Object> settings = new java.util.HashMap<>(config.serde());
            settings.put(io.apicurio.registry.serde.config.SerdeConfig.REGISTRY_URL, config.url());
            return new ProtobufSerdes(settings);
        }
    }
}
