package sync.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@link ConfigValidator} against configurations loaded the way Quarkus loads them (SmallRye
 * Config mapping of {@link SyncConfig}, defaults and converters included), without Quarkus.
 */
class ConfigValidatorTest {

    private static final String ACCOUNT = "sync.mappings.account.";

    /** A complete, valid configuration; each case changes a few keys (an empty value removes the key). */
    private static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("sync.salesforce.login-url", "https://login.salesforce.com");
        p.put("sync.salesforce.client-id", "client-id-value");
        p.put("sync.salesforce.client-secret", "client-secret-value");
        p.put("sync.salesforce.username", "integration@example.com");
        p.put("sync.salesforce.password", "password-and-token");
        p.put(ACCOUNT + "object", "Account");
        p.put(ACCOUNT + "table", "public.account");
        p.put(ACCOUNT + "fields.Name", "name");
        p.put(ACCOUNT + "fields.BillingCity", "billing_city");
        return p;
    }

    private static SyncConfig load(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SyncConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
        return config.getConfigMapping(SyncConfig.class);
    }

    private static SyncConfig with(Map<String, String> changes) {
        Map<String, String> p = valid();
        changes.forEach((k, v) -> {
            if (v == null || v.isEmpty()) {
                p.remove(k);
            } else {
                p.put(k, v);
            }
        });
        return load(p);
    }

    @Test
    void acceptsAValidConfiguration() {
        assertThat(ConfigValidator.validate(load(valid()))).isEmpty();
    }

    @Test
    void appliesTheDocumentedDefaults() {
        SyncConfig config = load(valid());
        SyncConfig.Mapping account = config.mappings().get("account");

        assertThat(config.salesforce().authType()).isEqualTo(SyncConfig.AuthType.USERNAME_PASSWORD);
        assertThat(config.salesforce().apiVersion()).isEqualTo("61.0");
        assertThat(config.salesforce().clientName()).isEqualTo("sluice");
        assertThat(config.staging().uri()).isEqualTo("file:target/staging");
        assertThat(config.embedded().enabled()).isFalse();
        assertThat(config.embedded().emulatorPort()).isEqualTo(8999);
        assertThat(config.inbound().enabled()).isTrue();
        assertThat(config.inbound().pollMillis()).isEqualTo(2000);
        assertThat(config.outbound().bulkThreshold()).isEqualTo(10_000);
        assertThat(account.direction()).isEqualTo(SyncConfig.Direction.BOTH);
        assertThat(account.idColumn()).isEqualTo("sfid");
        assertThat(account.conflicts()).isEqualTo(SyncConfig.ConflictPolicy.LAST_WRITER_WINS);
        assertThat(account.deletes().inPostgres().kind()).isEqualTo(PostgresDeletePolicy.Kind.HARD);
        assertThat(account.deletes().inSalesforce()).isEqualTo(SyncConfig.SalesforceDeletePolicy.DELETE);
        assertThat(account.externalId()).isEmpty();
        assertThat(account.fields()).containsEntry("BillingCity", "billing_city");
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("custom object", Map.of(ACCOUNT + "object", "Loan__c")),
                arguments("namespaced custom object", Map.of(ACCOUNT + "object", "ns__Loan__c")),
                arguments("table without schema", Map.of(ACCOUNT + "table", "account")),
                arguments("identifier starting with _", Map.of(ACCOUNT + "table", "_staging._account")),
                arguments("63-character column", Map.of(ACCOUNT + "fields.Name", "c".repeat(63))),
                arguments("person-account field", Map.of(ACCOUNT + "fields.Phone__pc", "person_phone")),
                arguments("compound sub-field", Map.of(ACCOUNT + "fields.Location__Latitude__s", "latitude")),
                arguments("namespaced custom field", Map.of(ACCOUNT + "fields.ns__Score__c", "score")),
                arguments("soft deletes", Map.of(ACCOUNT + "deletes.in-postgres", "soft(is_deleted)")),
                arguments("external id", Map.of(ACCOUNT + "external-id.field", "Pg_Id__c", ACCOUNT + "external-id.column", "id")),
                arguments("emulator on 127.0.0.1", Map.of("sync.salesforce.login-url", "http://127.0.0.1:8999")),
                arguments("emulator on localhost", Map.of("sync.salesforce.login-url", "http://localhost:8999")),
                arguments("emulator on ::1", Map.of("sync.salesforce.login-url", "http://[::1]:8999")),
                arguments("refresh-token flow", Map.of("sync.salesforce.auth-type", "refresh-token",
                        "sync.salesforce.refresh-token", "token-value")),
                arguments("bulk never", Map.of("sync.outbound.bulk-threshold", "0")),
                arguments("bulk from 201 records", Map.of("sync.outbound.bulk-threshold", "201")),
                arguments("S3 staging", Map.of("sync.staging.uri", "aws2-s3:sluice-staging",
                        "sync.staging.s3.access-key", "ak", "sync.staging.s3.secret-key", "sk")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void accepted(String description, Map<String, String> changes) {
        assertThat(ConfigValidator.validate(with(changes))).isEmpty();
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                // PostgreSQL identifiers
                arguments(Map.of(ACCOUNT + "table", "public.account; DROP TABLE x"), ACCOUNT + "table", "schema.table"),
                arguments(Map.of(ACCOUNT + "table", "a.b.c"), ACCOUNT + "table", "schema.table"),
                arguments(Map.of(ACCOUNT + "table", "1account"), ACCOUNT + "table", "starting with a letter"),
                arguments(Map.of(ACCOUNT + "table", "sync.account"), ACCOUNT + "table", "another schema"),
                arguments(Map.of(ACCOUNT + "table", "pg_catalog.account"), ACCOUNT + "table", "another schema"),
                arguments(Map.of(ACCOUNT + "id-column", "sf id"), ACCOUNT + "id-column", "letters, digits"),
                arguments(Map.of(ACCOUNT + "fields.Name", "na\"me"), ACCOUNT + "fields.Name", "letters, digits"),
                arguments(Map.of(ACCOUNT + "fields.Name", "c".repeat(64)), ACCOUNT + "fields.Name", "at most 63"),
                arguments(Map.of(ACCOUNT + "fields.Website", "NAME"), ACCOUNT + "fields.Website", "map each column once"),
                arguments(Map.of(ACCOUNT + "fields.Industry", "sfid"), ACCOUNT + "fields.Industry", "map each column once"),
                arguments(Map.of(ACCOUNT + "fields.Id", "record_id"), ACCOUNT + "fields.Id", "id-column"),
                arguments(Map.of(ACCOUNT + "deletes.in-postgres", "soft(1bad)"), ACCOUNT + "deletes.in-postgres", "soft(is_deleted)"),
                arguments(Map.of(ACCOUNT + "deletes.in-postgres", "soft(name)"), ACCOUNT + "deletes.in-postgres", "column of its own"),
                arguments(Map.of(ACCOUNT + "external-id.field", "Pg_Id__c", ACCOUNT + "external-id.column", "pg id"),
                        ACCOUNT + "external-id.column", "letters, digits"),
                // Salesforce API names
                arguments(Map.of(ACCOUNT + "object", "Account__"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "object", "Loan___c"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "object", "Acc-ount"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "object", "Loan__x"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "object", "1Account"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "object", "ns__Loan"), ACCOUNT + "object", "Object Manager"),
                arguments(Map.of(ACCOUNT + "fields.Loc__Latitude__c__s", "lat"), ACCOUNT + "fields.Loc__Latitude__c__s", "Fields"),
                arguments(Map.of(ACCOUNT + "fields.\"Billing City\"", "billing_city2"), ACCOUNT + "fields.\"Billing City\"", "Fields"),
                arguments(Map.of(ACCOUNT + "fields._Name", "name2"), ACCOUNT + "fields._Name", "Fields"),
                arguments(Map.of(ACCOUNT + "external-id.field", "Pg_Id", ACCOUNT + "external-id.column", "id"),
                        ACCOUNT + "external-id.field", "External ID"),
                // mapping itself
                arguments(Map.of(ACCOUNT + "fields.Name", "", ACCOUNT + "fields.BillingCity", ""), ACCOUNT + "fields", "Name: name"),
                // Salesforce connection
                arguments(Map.of("sync.salesforce.login-url", "http://login.example.com"), "sync.salesforce.login-url", "use https"),
                arguments(Map.of("sync.salesforce.login-url", "ftp://login.salesforce.com"), "sync.salesforce.login-url", "https://"),
                arguments(Map.of("sync.salesforce.api-version", "61"), "sync.salesforce.api-version", "61.0"),
                arguments(Map.of("sync.salesforce.client-name", "sluice;client=other"), "sync.salesforce.client-name", "letters, digits"),
                arguments(Map.of("sync.salesforce.auth-type", "client-credentials"), "sync.salesforce.login-url", "My Domain"),
                // staging
                arguments(Map.of("sync.staging.uri", "s3://bucket"), "sync.staging.uri", "aws2-s3:<bucket>"),
                arguments(Map.of("sync.staging.uri", "aws2-s3:Bad_Bucket"), "sync.staging.uri", "lowercase"),
                arguments(Map.of("sync.staging.s3.access-key", "ak"), "sync.staging.s3.secret-key", "SYNC_STAGING_S3_SECRET_KEY"),
                arguments(Map.of("sync.embedded.emulator-port", "70000"), "sync.embedded.emulator-port", "1-65535"),
                arguments(Map.of("sync.apply.batch-size", "0"), "sync.apply.batch-size", "1-10000"),
                arguments(Map.of("sync.apply.batch-max-wait-millis", "0"), "sync.apply.batch-max-wait-millis", "1-60000"),
                arguments(Map.of("sync.inbound.poll-millis", "10"), "sync.inbound.poll-millis", "100-3600000"),
                arguments(Map.of("sync.outbound.bulk-threshold", "-1"), "sync.outbound.bulk-threshold", "1-100000"),
                arguments(Map.of("sync.outbound.bulk-threshold", "500000"), "sync.outbound.bulk-threshold", "0 (never use Bulk API)"),
                arguments(Map.of("sync.outbound.echo-window", "PT5S"), "sync.outbound.echo-window", "PT1M to P7D"),
                arguments(Map.of("sync.outbound.echo-window", "-PT1H"), "sync.outbound.echo-window", "PT1M to P7D"),
                arguments(Map.of("sync.outbound.max-slot-lag-bytes", "0"), "sync.outbound.max-slot-lag-bytes", "positive number of bytes"),
                arguments(Map.of("sync.outbound.slot-name", "Bad-Slot"), "sync.outbound.slot-name", "lower-case letters"));
    }

    @ParameterizedTest(name = "{1} <- {0}")
    @MethodSource
    void rejected(Map<String, String> changes, String key, String fix) {
        List<ConfigProblem> problems = ConfigValidator.validate(with(changes));

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.key()).isEqualTo(key);
            assertThat(problem.fix()).contains(fix);
            assertThat(problem.message()).contains(key).contains("Fix: ");
            if (key.startsWith("sync.mappings.account")) {
                assertThat(problem.mapping()).contains("account");
                assertThat(problem.message()).startsWith("mapping 'account': ");
            } else {
                assertThat(problem.mapping()).isEmpty();
            }
        });
    }

    static Stream<Arguments> missingCredentials() {
        return Stream.of(
                arguments("username-password", "sync.salesforce.password", List.of("sync.salesforce.password")),
                arguments("username-password", "sync.salesforce.client-secret", List.of("sync.salesforce.client-secret")),
                arguments("refresh-token", "sync.salesforce.client-id", List.of("sync.salesforce.client-id", "sync.salesforce.refresh-token")),
                arguments("client-credentials", "sync.salesforce.client-secret", List.of("sync.salesforce.client-secret")),
                arguments("jwt", "sync.salesforce.username", List.of("sync.salesforce.username",
                        "sync.salesforce.jwt.keystore", "sync.salesforce.jwt.keystore-password")),
                arguments("username-password", "sync.salesforce.login-url", List.of("sync.salesforce.login-url")));
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource
    void missingCredentials(String flow, String removed, List<String> expectedKeys) {
        Map<String, String> changes = new HashMap<>();
        changes.put("sync.salesforce.auth-type", flow);
        changes.put(removed, null);
        if (flow.equals("client-credentials")) {
            changes.put("sync.salesforce.login-url", "https://acme.my.salesforce.com");
        }
        List<ConfigProblem> problems = ConfigValidator.validate(with(changes));

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrderElementsOf(expectedKeys);
        // The fix names the environment variable, since secrets never live in a file.
        assertThat(problems).allSatisfy(p -> assertThat(p.fix()).contains(ConfigValidator.env(p.key())));
    }

    @Test
    void reportsEveryProblemOfEveryMappingAtOnce() {
        Map<String, String> changes = new HashMap<>();
        changes.put(ACCOUNT + "table", "bad table");
        changes.put(ACCOUNT + "object", "Bad-Object");
        changes.put("sync.mappings.loan.object", "Loan__c");
        changes.put("sync.mappings.loan.table", "public.loan");
        changes.put("sync.mappings.loan.fields.Amount__c", "amount");
        changes.put("sync.mappings.loan.id-column", "1sfid");

        assertThat(ConfigValidator.validate(with(changes))).extracting(ConfigProblem::key)
                .containsExactly(ACCOUNT + "object", ACCOUNT + "table", "sync.mappings.loan.id-column");
    }

    @Test
    void quotesAnUnusableMappingName() {
        Map<String, String> changes = new HashMap<>();
        changes.put("sync.mappings.\"my account\".object", "Account");
        changes.put("sync.mappings.\"my account\".table", "account2");
        changes.put("sync.mappings.\"my account\".fields.Name", "name");

        assertThat(ConfigValidator.validate(with(changes))).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("sync.mappings.\"my account\"");
            assertThat(p.mapping()).isEqualTo(Optional.of("my account"));
        });
    }

    /** Enum-valued keys are checked while the mapping is loaded; the error names the key and the allowed values. */
    static Stream<Arguments> invalidEnumValues() {
        return Stream.of(
                arguments(ACCOUNT + "direction", "sideways", "to-postgres"),
                arguments(ACCOUNT + "conflicts", "newest", "last-writer-wins"),
                arguments(ACCOUNT + "deletes.in-salesforce", "purge", "ignore"),
                arguments(ACCOUNT + "deletes.in-postgres", "soft(a b)", "soft(<boolean column>)"),
                arguments("sync.salesforce.auth-type", "oauth", "refresh-token"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource
    void invalidEnumValues(String key, String value, String allowed) {
        assertThatThrownBy(() -> with(Map.of(key, value)))
                .hasMessageContaining(key)
                .hasMessageContaining(value)
                .satisfies(e -> assertThat(messages(e)).contains(allowed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"to-postgres", "TO_POSTGRES", "to-salesforce", "both"})
    void directionsAreWrittenInKebabCase(String direction) {
        assertThat(with(Map.of(ACCOUNT + "direction", direction)).mappings().get("account").direction()).isNotNull();
    }

    @Test
    void startupCheckFailsWithEveryProblem() {
        SyncConfig config = with(Map.of(ACCOUNT + "table", "bad table", "sync.salesforce.api-version", "v61"));

        assertThatThrownBy(() -> ConfigStartupCheck.check(config, Optional.empty()))
                .isInstanceOf(ConfigStartupCheck.InvalidConfigurationException.class)
                .hasMessageContaining("3 configuration problem(s)")
                .hasMessageContaining("quarkus.datasource.jdbc.url: not set. Fix: set QUARKUS_DATASOURCE_JDBC_URL")
                .hasMessageContaining("mapping 'account': sync.mappings.account.table")
                .hasMessageContaining("sync.salesforce.api-version");
    }

    @Test
    void startupCheckPassesAValidConfiguration() {
        assertThatCode(() -> ConfigStartupCheck.check(load(valid()), Optional.of("jdbc:postgresql://localhost/app")))
                .doesNotThrowAnyException();
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
