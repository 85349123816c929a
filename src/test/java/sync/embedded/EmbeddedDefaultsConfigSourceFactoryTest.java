package sync.embedded;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded dev services start only in the dev profile with {@code sync.embedded.enabled=true}.
 * The positive case starts a second PostgreSQL and the emulator, so it is verified by running
 * {@code ./mvnw quarkus:dev} rather than here, where one PostgreSQL per JVM is the budget.
 */
class EmbeddedDefaultsConfigSourceFactoryTest {

    @ParameterizedTest(name = "profile {0}, sync.embedded.enabled={1}")
    @CsvSource({"prod, true", "test, true", "dev, false", "dev, ''"})
    void contributesNothingOutsideEmbeddedDevMode(String profile, String enabled) {
        Map<String, String> properties = enabled.isEmpty() ? Map.of() : Map.of("sync.embedded.enabled", enabled);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withProfile(profile)
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .withSources(new EmbeddedDefaultsConfigSourceFactory())
                .build();

        assertThat(config.getConfigSources())
                .noneMatch(source -> source.getName().equals(EmbeddedDefaultsConfigSourceFactory.SOURCE_NAME));
        assertThat(config.getOptionalValue("quarkus.datasource.jdbc.url", String.class)).isEmpty();
        assertThat(JvmOnce.started("dev-services")).isFalse();
    }
}
