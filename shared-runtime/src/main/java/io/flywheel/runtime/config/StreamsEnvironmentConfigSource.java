package io.flywheel.runtime.config;

import io.flywheel.runtime.streams.BoundedMemoryRocksDbConfig;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Makes every {@code KAFKA_STREAMS_*} environment variable a {@code kafka-streams.*} setting.
 *
 * <p>Quarkus passes the {@code kafka-streams.*} properties it can list to Kafka Streams, and an
 * environment variable is listed under a dotted name only when that name is already declared in a
 * properties file; so {@code KAFKA_STREAMS_NUM_STREAM_THREADS=2} alone was silently ignored. Here
 * the variable's name is matched against the names Kafka Streams and its clients know (with their
 * {@code consumer.}, {@code producer.}, ... prefixes) and Flywheel's own. A name none of them knows
 * (a typo) is left out, as before, and deploy/checks reports it. Same ordinal as the environment,
 * so it overrides the properties files.
 */
public class StreamsEnvironmentConfigSource extends MapBackedConfigSource {

    static final String ENV_PREFIX = "KAFKA_STREAMS_";
    static final String PROPERTY_PREFIX = "kafka-streams.";
    private static final int ENVIRONMENT_ORDINAL = 300;

    public StreamsEnvironmentConfigSource() {
        this(System.getenv());
    }

    StreamsEnvironmentConfigSource(Map<String, String> environment) {
        super("flywheel KAFKA_STREAMS_* environment variables", properties(environment), ENVIRONMENT_ORDINAL);
    }

    /** The {@code kafka-streams.*} settings these environment variables stand for. */
    public static Map<String, String> properties(Map<String, String> environment) {
        Map<String, String> byEnvironmentName = new HashMap<>();
        for (String name : knownNames()) {
            byEnvironmentName.put(environmentForm(name), name);
        }
        Map<String, String> properties = new HashMap<>();
        environment.forEach((variable, value) -> {
            String name = variable.startsWith(ENV_PREFIX) ? byEnvironmentName.get(variable.substring(ENV_PREFIX.length())) : null;
            if (name != null) {
                properties.put(PROPERTY_PREFIX + name, value);
            }
        });
        return properties;
    }

    private static Set<String> knownNames() {
        // Built once per call: a config source is created a few times per start, never per lookup.
        Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
        names.add(BoundedMemoryRocksDbConfig.CACHE_BYTES);
        names.add(BoundedMemoryRocksDbConfig.WRITE_BUFFER_BYTES);
        Set<String> clientNames = new HashSet<>(ConsumerConfig.configNames());
        clientNames.addAll(ProducerConfig.configNames());
        clientNames.addAll(AdminClientConfig.configNames());
        names.addAll(clientNames);
        for (String prefix : new String[] {StreamsConfig.CONSUMER_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX,
                StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX,
                StreamsConfig.ADMIN_CLIENT_PREFIX}) {
            clientNames.forEach(name -> names.add(prefix + name));
        }
        return names;
    }

    private static String environmentForm(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
