package sync.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Fails startup when {@link ConfigValidator} finds a problem, listing all of them at once. It runs
 * when Camel is about to be configured, before any route is added or started, so a wrong key
 * stops the process before anything connects to Salesforce or reads the WAL.
 */
@ApplicationScoped
public class ConfigStartupCheck {

    private static final Logger LOG = Logger.getLogger(ConfigStartupCheck.class);

    @Inject
    SyncConfig config;

    /** Without it Quarkus deactivates the datasource and skips Flyway instead of failing. */
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    Optional<String> jdbcUrl;

    void beforeCamelConfigure(@Observes BeforeConfigure event) {
        check(config, jdbcUrl);
    }

    /** Throws {@link InvalidConfigurationException} unless the configuration is valid. */
    static void check(SyncConfig config, Optional<String> jdbcUrl) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (jdbcUrl.filter(url -> !url.isBlank()).isEmpty()) {
            problems.add(new ConfigProblem(Optional.empty(), "quarkus.datasource.jdbc.url", "not set",
                    "set QUARKUS_DATASOURCE_JDBC_URL (e.g. jdbc:postgresql://db:5432/app), QUARKUS_DATASOURCE_USERNAME"
                            + " and QUARKUS_DATASOURCE_PASSWORD"));
        }
        problems.addAll(ConfigValidator.validate(config));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        LOG.infof("Configuration valid: %d mapping(s) %s", config.mappings().size(), new TreeSet<>(config.mappings().keySet()));
    }

    /** Thrown at startup with every configuration problem found. */
    public static final class InvalidConfigurationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidConfigurationException(List<ConfigProblem> problems) {
            super(problems.size() + " configuration problem(s):" + problems.stream()
                    .map(p -> System.lineSeparator() + "  - " + p.message())
                    .collect(Collectors.joining()));
        }
    }
}
