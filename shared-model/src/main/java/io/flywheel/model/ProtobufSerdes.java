package io.flywheel.model;

import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryClientFacadeFactory;
import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaDeserializer;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one serde factory: Protobuf values through the Apicurio Registry (schemas registered on
 * first write and checked by the registry's compatibility rule), UTF-8 string keys.
 *
 * <p>A serializer made for a topic of the catalogue ({@link #value(TopicSpec)}) is remembered as
 * an output, so its schema can be resolved before anything is written
 * ({@link #resolveOutputSchemas()}): the serializer keeps what it resolved for the life of the
 * process, and a later registry outage never reaches a write.
 */
public final class ProtobufSerdes {

    /** How long one registry call may take before it counts as the registry being unavailable. */
    static final Duration REGISTRY_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> registryConfig;
    private final boolean registryBacked;
    private final List<Output<?>> outputs = new CopyOnWriteArrayList<>();

    /** A serializer handed out for writing {@code type} to {@code topic}; resolved once its schema id is known. */
    private static final class Output<V extends Message> {
        final String topic;
        final Class<V> type;
        final Serializer<V> serializer;
        volatile boolean resolved;

        Output(String topic, Class<V> type, Serializer<V> serializer) {
            this.topic = topic;
            this.type = type;
            this.serializer = serializer;
        }

        void resolve() {
            // An empty message of the type resolves the same artifact and schema as any other.
            serializer.serialize(topic, Internal.getDefaultInstance(type));
            resolved = true;
        }
    }

    /** @param registryUrl base URL of the registry's v3 API, e.g. {@code http://host:8080/apis/registry/v3} */
    public ProtobufSerdes(String registryUrl) {
        this(Map.of(SerdeConfig.REGISTRY_URL, registryUrl));
    }

    /** @param registryConfig Apicurio serde settings ({@code apicurio.registry.*}); the URL is required */
    public ProtobufSerdes(Map<String, ?> registryConfig) {
        if (registryConfig.get(SerdeConfig.REGISTRY_URL) == null) {
            throw new IllegalArgumentException("missing " + SerdeConfig.REGISTRY_URL);
        }
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        // A schema already fetched stays usable while the registry is down (its cache would
        // otherwise expire every check period and fail every record of a running service).
        config.put(SerdeConfig.FAULT_TOLERANT_REFRESH, true);
        config.putAll(registryConfig);
        this.registryConfig = Map.copyOf(config);
        this.registryBacked = true;
    }

    private ProtobufSerdes() {
        this.registryConfig = Map.of();
        this.registryBacked = false;
    }

    /**
     * Plain Protobuf bytes with no registry and no schema id: for TopologyTestDriver tests only,
     * where topologies run without a broker or registry. Integration tests and services use the
     * registry-backed constructors.
     */
    public static ProtobufSerdes withoutRegistry() {
        return new ProtobufSerdes();
    }

    /** The registry's URL; empty for {@link #withoutRegistry()}. */
    public java.util.Optional<String> registryUrl() {
        return java.util.Optional.ofNullable((String) registryConfig.get(SerdeConfig.REGISTRY_URL));
    }

    /** The value serde of a topic of the catalogue that the caller writes: its serializer is an output. */
    public <V extends Message> Serde<V> value(TopicSpec<V> topic) {
        return Serdes.serdeFrom(valueSerializer(topic), valueDeserializer(topic.valueType()));
    }

    /** The value serializer for writing to a topic of the catalogue, remembered as an output. */
    public <V extends Message> Serializer<V> valueSerializer(TopicSpec<V> topic) {
        Serializer<V> serializer = valueSerializer(topic.valueType());
        if (registryBacked) {
            outputs.add(new Output<>(topic.name(), topic.valueType(), serializer));
        }
        return serializer;
    }

    /**
     * Resolves the schema id of every output not resolved yet, through the very serializer that
     * writes it (registering the schema if the registry has none), so that its cache serves every
     * later write. One attempt each: the first failure is thrown as the serializer threw it.
     *
     * @return the outputs ({@code topic=Type}) still unresolved before this call, now resolved
     */
    public List<String> resolveOutputSchemas() {
        List<String> resolved = new ArrayList<>();
        for (Output<?> output : outputs) {
            if (!output.resolved) {
                output.resolve();
                resolved.add(output.topic + "=" + output.type.getSimpleName());
            }
        }
        return resolved;
    }

    /** Outputs ({@code topic=Type}) whose schema id is not resolved yet. */
    public List<String> unresolvedOutputs() {
        return outputs.stream().filter(output -> !output.resolved)
                .map(output -> output.topic + "=" + output.type.getSimpleName()).toList();
    }

    /** A value serde by type, for reading and for clients outside a topology; a sink uses {@link #value(TopicSpec)}. */
    public <V extends Message> Serde<V> value(Class<V> type) {
        return Serdes.serdeFrom(valueSerializer(type), valueDeserializer(type));
    }

    /** A value serializer by type, not remembered as an output; a sink uses {@link #valueSerializer(TopicSpec)}. */
    public <V extends Message> Serializer<V> valueSerializer(Class<V> type) {
        if (!registryBacked) {
            return (topic, value) -> value == null ? null : value.toByteArray();
        }
        ProtobufKafkaSerializer<V> serializer = new ProtobufKafkaSerializer<>(registryClient());
        serializer.configure(registryConfig, false);
        return serializer;
    }

    /**
     * A value deserializer by type. Records of a schema id already decoded through the registry's
     * deserializer are parsed in place ({@link KnownSchemaDeserializer}): decoding costs a
     * Protobuf parse, not a lookup and a reflective parse per record.
     */
    public <V extends Message> Deserializer<V> valueDeserializer(Class<V> type) {
        if (!registryBacked) {
            return new PlainProtobufDeserializer<>(type);
        }
        ProtobufKafkaDeserializer<V> deserializer = new ProtobufKafkaDeserializer<>(registryClient());
        Map<String, Object> config = new HashMap<>(registryConfig);
        // A Class, not its name: Quarkus class loading fails on the name.
        config.put(SerdeConfig.DESERIALIZER_SPECIFIC_VALUE_RETURN_CLASS, type);
        deserializer.configure(config, false);
        @SuppressWarnings("unchecked")
        Parser<V> parser = (Parser<V>) Internal.getDefaultInstance(type).getParserForType();
        return new KnownSchemaDeserializer<>(deserializer, parser);
    }

    /** Apicurio's client as the serdes would make it from these settings, every call bounded. */
    private RegistryClientFacade registryClient() {
        return new BoundedRegistryClient(RegistryClientFacadeFactory.create(new SchemaResolverConfig(registryConfig)),
                REGISTRY_CALL_TIMEOUT);
    }

    /**
     * Plain Protobuf bytes for a service's own state stores and internal topics: versioned by
     * additive Protobuf evolution, with no registry round-trip on the hot path.
     */
    public static <V extends Message> Serde<V> internal(Class<V> type) {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : value.toByteArray(),
                new PlainProtobufDeserializer<>(type));
    }

    public static Serde<String> key() {
        return Serdes.String();
    }
}
