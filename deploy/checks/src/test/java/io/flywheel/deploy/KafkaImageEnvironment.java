package io.flywheel.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import kafka.docker.Constants;
import kafka.docker.KafkaDockerWrapper$;
import kafka.server.KafkaConfig;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import scala.jdk.javaapi.CollectionConverters;

/**
 * How the apache/kafka image reads its environment. Its run script hands the variables to
 * {@code kafka.docker.KafkaDockerWrapper}, which writes server.properties from the KAFKA_* ones alone when any is
 * given (the packaged defaults, with their log.dirs, are then not used); this class runs that same code.
 */
final class KafkaImageEnvironment {

    /** Read by the image's scripts themselves (the cluster id to format the storage with). */
    private static final Set<String> SCRIPT_VARIABLES = Set.of("CLUSTER_ID");

    private KafkaImageEnvironment() {
    }

    static Properties serverProperties(Map<String, String> environment) {
        var scalaEnvironment = scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(environment));
        Properties properties = new Properties();
        for (String line : CollectionConverters.asJava(KafkaDockerWrapper$.MODULE$.getServerConfigsFromEnv(scalaEnvironment))) {
            String[] keyValue = line.split("=", 2);
            properties.setProperty(keyValue[0], keyValue[1]);
        }
        return properties;
    }

    /** Whether the image uses this variable: as a broker setting the broker knows, or in its scripts. */
    static boolean reads(String variable) {
        if (SCRIPT_VARIABLES.contains(variable) || Constants.ExcludeServerPropsEnv().contains(variable)) {
            return true;
        }
        return serverProperties(Map.of(variable, "-")).stringPropertyNames().stream()
                .anyMatch(name -> AbstractKafkaConfig.CONFIG_DEF.names().contains(name) || name.startsWith("listener.name."));
    }

    /** Where the broker writes: its log directories and its KRaft metadata log, as the broker itself resolves them. */
    static List<String> dataDirectories(Map<String, String> environment) {
        KafkaConfig config = new KafkaConfig(serverProperties(environment));
        List<String> directories = new ArrayList<>(config.logDirs());
        directories.add(config.metadataLogDir());
        return directories.stream().distinct().toList();
    }
}
