package sync.config;

import sync.config.SyncConfig.AuthType;
import sync.config.SyncConfig.Mapping;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a {@link SyncConfig} and returns every problem found, each naming the mapping, the
 * key and the fix. A pure function of the configuration: no database, no network (the checks
 * against the live table and the Salesforce describe belong to the mapping's own startup).
 * Identifiers accepted here are the only ones later code will quote into SQL or put into URLs.
 */
public final class ConfigValidator {

    /** A PostgreSQL identifier Sluice accepts: letters, digits, '_', at most 63 bytes (NAMEDATALEN - 1). */

    private static final String NAME_PART = "[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*";

    /**
     * A Salesforce object API name: standard ({@code Account}), custom ({@code Loan__c}) or
     * namespaced custom ({@code ns__Loan__c}). Single underscores inside, none at the end.
     */
    public static final Pattern SALESFORCE_OBJECT =
            Pattern.compile(NAME_PART + "|(?:" + NAME_PART + "__)?" + NAME_PART + "__c");

    /**
     * A Salesforce field API name: standard ({@code BillingCity}), custom ({@code Pg_Id__c}),
     * namespaced ({@code ns__Score__c}), person-account ({@code Phone__pc}) or a compound
     * sub-field ({@code Location__Latitude__s}).
     */
    public static final Pattern SALESFORCE_FIELD = Pattern.compile(NAME_PART
            + "|(?:" + NAME_PART + "__)?" + NAME_PART + "__(?:c|pc)"
            + "|" + NAME_PART + "__" + NAME_PART + "__s");

    /** A custom field, the only kind that can be an external Id. */
    public static final Pattern SALESFORCE_CUSTOM_FIELD =
            Pattern.compile("(?:" + NAME_PART + "__)?" + NAME_PART + "__c");

    /** Mapping names end up in route ids, metric tags and dead-letter rows. */
    public static final Pattern MAPPING_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

    private static final Pattern API_VERSION = Pattern.compile("[1-9][0-9]{1,2}\\.0");
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Set<String> RESERVED_SCHEMAS = Set.of("sync", "information_schema");
    private static final int MAX_API_NAME = 80;

    private static final String SQL_NAME_FIX =
            "use letters, digits and '_', starting with a letter or '_', at most 63 characters (e.g. billing_city)";
    private static final String OBJECT_FIX =
            "use the object's API name as shown in Setup > Object Manager, e.g. Account, Loan__c or ns__Loan__c";
    private static final String FIELD_FIX =
            "use the field's API name as shown in Setup > Object Manager > Fields, e.g. BillingCity or Pg_Id__c";

    private ConfigValidator() {
    }

    /** Every problem in {@code config}; empty when it is usable. */
    public static List<ConfigProblem> validate(SyncConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        salesforce(config.salesforce(), problems);
        staging(config.staging(), problems);
        if (config.embedded().emulatorPort() < 0 || config.embedded().emulatorPort() > 65535) {
            problems.add(global("sync.embedded.emulator-port", "'" + config.embedded().emulatorPort() + "' is not a port",
                    "use 0 (any free port) or 1-65535"));
        }
        if (config.apply().batchSize() < 1 || config.apply().batchSize() > 10_000) {
            problems.add(global("sync.apply.batch-size", "'" + config.apply().batchSize() + "' is out of range",
                    "use 1-10000 (500 suits most loads)"));
        }
        if (config.apply().batchMaxWaitMillis() < 1 || config.apply().batchMaxWaitMillis() > 60_000) {
            problems.add(global("sync.apply.batch-max-wait-millis", "'" + config.apply().batchMaxWaitMillis()
                    + "' is out of range", "use 1-60000 (100 keeps latency well under a second)"));
        }
        if (config.inbound().pollMillis() < 100 || config.inbound().pollMillis() > 3_600_000) {
            problems.add(global("sync.inbound.poll-millis", "'" + config.inbound().pollMillis() + "' is out of range",
                    "use 100-3600000 (2000 picks up a dropped file within seconds)"));
        }
        outbound(config.outbound(), problems);
        // Sorted so the report reads the same on every start.
        new TreeMap<>(config.mappings()).forEach((name, mapping) -> mapping(name, mapping, problems));
        return List.copyOf(problems);
    }

    private static void outbound(SyncConfig.Outbound out, List<ConfigProblem> problems) {
        String prefix = "sync.outbound.";
        // Slot and publication names go into replication commands unquoted: keep them plain.
        java.util.regex.Pattern plain = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");
        if (!plain.matcher(out.slotName()).matches()) {
            problems.add(global(prefix + "slot-name", "'" + out.slotName() + "' is not a replication slot name",
                    "use lower-case letters, digits and '_', at most 63 characters (e.g. sluice)"));
        }
        if (!plain.matcher(out.publicationName()).matches()) {
            problems.add(global(prefix + "publication-name", "'" + out.publicationName() + "' is not a publication name",
                    "use lower-case letters, digits and '_', at most 63 characters (e.g. sluice)"));
        }
        if (out.batchSize() < 1 || out.batchSize() > 200) {
            problems.add(global(prefix + "batch-size", "'" + out.batchSize() + "' is out of range",
                    "use 1-200 (an sObject Collections call takes at most 200 records)"));
        }
        if (out.batchMaxWaitMillis() < 1 || out.batchMaxWaitMillis() > 60_000) {
            problems.add(global(prefix + "batch-max-wait-millis", "'" + out.batchMaxWaitMillis() + "' is out of range",
                    "use 1-60000 (100 keeps latency well under a second)"));
        }
        if (out.bulkThreshold() < 0 || out.bulkThreshold() > 100_000) {
            problems.add(global(prefix + "bulk-threshold", "'" + out.bulkThreshold() + "' is out of range",
                    "use 0 (never use Bulk API) or 1-100000 records (10000 sends only real backlogs through Bulk API 2.0)"));
        }
        if (out.heartbeatMillis() < 100) {
            problems.add(global(prefix + "heartbeat-millis", "'" + out.heartbeatMillis() + "' is too short",
                    "use 100 or more (10000 suits most databases)"));
        }
        if (out.maxApiUsage() <= 0 || out.maxApiUsage() > 1) {
            problems.add(global(prefix + "max-api-usage", "'" + out.maxApiUsage() + "' is not a share of the limit",
                    "use a number above 0 and at most 1, e.g. 0.9"));
        }
        if (out.maxSlotLagBytes() < 1) {
            problems.add(global(prefix + "max-slot-lag-bytes", "'" + out.maxSlotLagBytes() + "' is not a size",
                    "use a positive number of bytes, e.g. 1073741824 (1 GiB)"));
        }
        if (out.echoWindow().compareTo(java.time.Duration.ofMinutes(1)) < 0 || out.echoWindow().compareTo(java.time.Duration.ofDays(7)) > 0) {
            problems.add(global(prefix + "echo-window", "'" + out.echoWindow() + "' is out of range",
                    "use PT1M to P7D (PT1H keeps an hour of sent changes to recognise their echoes)"));
        }
        if (out.dailyApiBudget().isPresent() && out.dailyApiBudget().get() < 1) {
            problems.add(global(prefix + "daily-api-budget", "'" + out.dailyApiBudget().get() + "' is not a budget",
                    "use a positive number of API calls per 24 hours, or leave it unset"));
        }
    }

    /** Whether {@code name} is a PostgreSQL identifier Sluice will quote into SQL. */
    public static boolean isSqlIdentifier(String name) {
        return sync.sql.Identifiers.isValid(name);
    }

    /** Whether {@code table} is {@code table} or {@code schema.table} of valid identifiers. */
    public static boolean isSqlTableName(String table) {
        if (table == null) {
            return false;
        }
        String[] parts = table.split("\\.", -1);
        return parts.length <= 2 && Arrays.stream(parts).allMatch(ConfigValidator::isSqlIdentifier);
    }

    /** Whether {@code name} is a Salesforce object API name. */
    public static boolean isSalesforceObjectName(String name) {
        return name != null && name.length() <= MAX_API_NAME && SALESFORCE_OBJECT.matcher(name).matches();
    }

    /** Whether {@code name} is a Salesforce field API name. */
    public static boolean isSalesforceFieldName(String name) {
        return name != null && name.length() <= MAX_API_NAME && SALESFORCE_FIELD.matcher(name).matches();
    }

    private static void salesforce(SyncConfig.Salesforce sf, List<ConfigProblem> problems) {
        String prefix = "sync.salesforce.";
        if (sf.loginUrl().isEmpty()) {
            problems.add(global(prefix + "login-url", "not set",
                    "set " + env(prefix + "login-url") + " to https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL"));
        } else {
            loginUrl(sf.loginUrl().get(), sf.authType(), problems);
        }
        List<String> required = switch (sf.authType()) {
            case USERNAME_PASSWORD -> List.of("client-id", "client-secret", "username", "password");
            case REFRESH_TOKEN -> List.of("client-id", "client-secret", "refresh-token");
            case CLIENT_CREDENTIALS -> List.of("client-id", "client-secret");
            case JWT -> List.of("client-id", "username", "jwt.keystore", "jwt.keystore-password");
        };
        Map<String, Optional<String>> values = Map.of(
                "client-id", sf.clientId(),
                "client-secret", sf.clientSecret(),
                "username", sf.username(),
                "password", sf.password(),
                "refresh-token", sf.refreshToken(),
                "jwt.keystore", sf.jwt().keystore(),
                "jwt.keystore-password", sf.jwt().keystorePassword());
        String flow = sf.authType().name().toLowerCase(Locale.ROOT).replace('_', '-');
        for (String name : required) {
            if (values.get(name).filter(v -> !v.isBlank()).isEmpty()) {
                problems.add(global(prefix + name, "not set, and the " + flow + " login flow needs it",
                        "set the environment variable " + env(prefix + name)
                                + (name.equals("password") ? " (the password with the security token appended)" : "")));
            }
        }
        if (!API_VERSION.matcher(sf.apiVersion()).matches()) {
            problems.add(global(prefix + "api-version", "'" + sf.apiVersion() + "' is not a Salesforce API version",
                    "use a version such as 61.0"));
        }
        if (!CLIENT_NAME.matcher(sf.clientName()).matches()) {
            problems.add(global(prefix + "client-name", "'" + sf.clientName() + "' cannot be sent in Sforce-Call-Options",
                    "use 1-40 letters, digits, '-' or '_', e.g. sluice"));
        }
    }

    private static void loginUrl(URI url, AuthType authType, List<ConfigProblem> problems) {
        String key = "sync.salesforce.login-url";
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost();
        if (host == null || !(scheme.equals("https") || scheme.equals("http"))) {
            problems.add(global(key, "'" + url + "' is not an http(s) URL", "use e.g. https://login.salesforce.com"));
            return;
        }
        if (scheme.equals("http") && !isLoopback(host)) {
            problems.add(global(key, "'" + url + "' would send credentials in clear text",
                    "use https (plain http is accepted for a local emulator on a loopback address only)"));
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (authType == AuthType.CLIENT_CREDENTIALS && (h.equals("login.salesforce.com") || h.equals("test.salesforce.com"))) {
            problems.add(global(key, "the client-credentials flow does not work with " + h,
                    "use the org's My Domain URL, e.g. https://mycompany.my.salesforce.com"));
        }
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Only literal addresses: resolving a name here would make validation depend on DNS.
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void staging(SyncConfig.Staging staging, List<ConfigProblem> problems) {
        String key = "sync.staging.uri";
        String uri = staging.uri().strip();
        if (uri.startsWith("file:")) {
            if (uri.length() == "file:".length()) {
                problems.add(global(key, "'file:' names no directory", "use e.g. file:target/staging"));
            }
        } else if (uri.startsWith("aws2-s3:")) {
            String rest = uri.substring("aws2-s3:".length()).replaceFirst("^//", "");
            String bucket = rest.split("\\?", 2)[0];
            if (!S3_BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
                problems.add(global(key, "'" + bucket + "' is not an S3 bucket name",
                        "use aws2-s3:<bucket> with 3-63 lowercase letters, digits, '.' or '-', e.g. aws2-s3:sluice-staging"));
            }
        } else {
            problems.add(global(key, "'" + uri + "' is neither a file: nor an aws2-s3: URI",
                    "use file:<directory> (e.g. file:target/staging) or aws2-s3:<bucket>"));
        }
        SyncConfig.S3 s3 = staging.s3();
        if (s3.accessKey().isPresent() != s3.secretKey().isPresent()) {
            String missing = s3.accessKey().isPresent() ? "sync.staging.s3.secret-key" : "sync.staging.s3.access-key";
            problems.add(global(missing, "not set, but its partner key is",
                    "set " + env(missing) + ", or neither key to use the AWS default credentials chain"));
        }
        s3.endpoint().ifPresent(endpoint -> {
            if (endpoint.getHost() == null || !Set.of("http", "https").contains(String.valueOf(endpoint.getScheme()).toLowerCase(Locale.ROOT))) {
                problems.add(global("sync.staging.s3.endpoint", "'" + endpoint + "' is not an http(s) URL",
                        "use e.g. http://127.0.0.1:9000, or remove it to use AWS"));
            }
        });
    }

    private static void mapping(String name, Mapping m, List<ConfigProblem> problems) {
        String prefix = "sync.mappings." + keyPart(name) + ".";
        Function<String, String> key = k -> prefix + k;
        if (!MAPPING_NAME.matcher(name).matches()) {
            problems.add(new ConfigProblem(Optional.of(name), "sync.mappings." + keyPart(name),
                    "'" + name + "' is not a usable mapping name",
                    "rename it to letters, digits, '-' or '_', starting with a letter (e.g. account)"));
        }
        Optional<String> mapping = Optional.of(name);
        if (!isSalesforceObjectName(m.object())) {
            problems.add(new ConfigProblem(mapping, key.apply("object"),
                    "'" + m.object() + "' is not a Salesforce object API name", OBJECT_FIX));
        }
        table(mapping, key.apply("table"), m.table(), problems);
        column(mapping, key.apply("id-column"), m.idColumn(), problems);

        if (m.fields().isEmpty()) {
            problems.add(new ConfigProblem(mapping, key.apply("fields"), "no fields are mapped",
                    "add at least one '<Salesforce field>: <column>' entry, e.g. Name: name"));
        }
        Map<String, String> columnOwners = new HashMap<>();
        columnOwners.put(m.idColumn().toLowerCase(Locale.ROOT), "id-column");
        new TreeMap<>(m.fields()).forEach((field, column) -> {
            String fieldKey = key.apply("fields." + keyPart(field));
            if (field.equalsIgnoreCase("Id")) {
                problems.add(new ConfigProblem(mapping, fieldKey, "the record Id is always synced into id-column",
                        "remove this entry; set id-column (default sfid) to choose the column"));
                return;
            }
            if (!isSalesforceFieldName(field)) {
                problems.add(new ConfigProblem(mapping, fieldKey, "'" + field + "' is not a Salesforce field API name", FIELD_FIX));
            }
            if (column(mapping, fieldKey, column, problems)) {
                // PostgreSQL folds unquoted names to lower case, so Name and name collide in practice.
                String owner = columnOwners.putIfAbsent(column.toLowerCase(Locale.ROOT), "fields." + field);
                if (owner != null) {
                    problems.add(new ConfigProblem(mapping, fieldKey, "column '" + column + "' is already mapped by " + owner,
                            "map each column once; pick another column for " + field));
                }
            }
        });

        m.externalId().ifPresent(ext -> {
            if (!(ext.field().length() <= MAX_API_NAME && SALESFORCE_CUSTOM_FIELD.matcher(ext.field()).matches())) {
                problems.add(new ConfigProblem(mapping, key.apply("external-id.field"),
                        "'" + ext.field() + "' is not a custom field API name (external Ids are custom fields)",
                        "use the API name of a custom field marked External ID, e.g. Pg_Id__c"));
            }
            column(mapping, key.apply("external-id.column"), ext.column(), problems);
        });

        PostgresDeletePolicy deletes = m.deletes().inPostgres();
        deletes.column().ifPresent(column -> {
            String deletesKey = key.apply("deletes.in-postgres");
            if (!isSqlIdentifier(column)) {
                problems.add(new ConfigProblem(mapping, deletesKey,
                        "soft(" + column + ") does not name a valid column", "use soft(<boolean column>), e.g. soft(is_deleted)"));
            } else if (columnOwners.containsKey(column.toLowerCase(Locale.ROOT))) {
                problems.add(new ConfigProblem(mapping, deletesKey,
                        "soft-delete column '" + column + "' is also mapped by " + columnOwners.get(column.toLowerCase(Locale.ROOT)),
                        "use a boolean column of its own, e.g. soft(is_deleted)"));
            }
        });
    }

    private static void table(Optional<String> mapping, String key, String table, List<ConfigProblem> problems) {
        if (!isSqlTableName(table)) {
            problems.add(new ConfigProblem(mapping, key, "'" + table + "' is not a PostgreSQL table name",
                    "use table or schema.table; " + SQL_NAME_FIX));
            return;
        }
        if (table.contains(".")) {
            String schema = table.substring(0, table.indexOf('.')).toLowerCase(Locale.ROOT);
            if (RESERVED_SCHEMAS.contains(schema) || schema.startsWith("pg_")) {
                problems.add(new ConfigProblem(mapping, key, "schema '" + schema + "' is reserved"
                        + (schema.equals("sync") ? " for Sluice's own control tables" : " by PostgreSQL"),
                        "put synced tables in another schema, e.g. public." + table.substring(table.indexOf('.') + 1)));
            }
        }
    }

    /** Adds a problem unless {@code column} is a valid identifier; returns whether it is. */
    private static boolean column(Optional<String> mapping, String key, String column, List<ConfigProblem> problems) {
        if (isSqlIdentifier(column)) {
            return true;
        }
        problems.add(new ConfigProblem(mapping, key, "'" + column + "' is not a PostgreSQL column name", SQL_NAME_FIX));
        return false;
    }

    private static ConfigProblem global(String key, String problem, String fix) {
        return new ConfigProblem(Optional.empty(), key, problem, fix);
    }

    /** A map key as it is written inside a property name: quoted when it holds anything but [A-Za-z0-9_-]. */
    private static String keyPart(String name) {
        return name.matches("[A-Za-z0-9_-]+") ? name : "\"" + name + "\"";
    }

    /** The environment variable that sets {@code key} (MicroProfile Config's mapping rule). */
    static String env(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
