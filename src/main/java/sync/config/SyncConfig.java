package sync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * All of Sluice's own configuration, under the prefix {@code sync}. Beans inject this interface;
 * routes read the same keys through {@code {{sync...}}} placeholders. Nothing here has a default
 * for a credential: in production every secret comes from the environment (for example
 * {@code SYNC_SALESFORCE_CLIENT_SECRET}); in dev mode the embedded defaults supply throwaway ones.
 * Values are checked at startup by {@link ConfigValidator}.
 */
@ConfigMapping(prefix = "sync")
public interface SyncConfig {

    /** The Salesforce org to sync with and how to log in to it. */
    Salesforce salesforce();

    /** Where raw change batches are staged before they are applied. */
    Staging staging();

    /** Dev-mode embedded PostgreSQL and Salesforce emulator. */
    Embedded embedded();

    /** How Salesforce changes are batched into PostgreSQL. */
    Apply apply();

    /** Files of records that other tools drop under {@code inbound/<mapping>/} of the staging area. */
    Inbound inbound();

    /** How PostgreSQL changes are captured (Debezium) and written to Salesforce. */
    Outbound outbound();

    /**
     * The synced objects, by mapping name (the key, e.g. {@code account}). The name appears in
     * dead letters, metrics and route ids, so it is restricted to letters, digits, '-' and '_'.
     */
    Map<String, Mapping> mappings();

    /** How Sluice logs in to Salesforce and identifies its own writes. */
    interface Salesforce {

        /**
         * Login URL of the org, e.g. {@code https://login.salesforce.com},
         * {@code https://test.salesforce.com} or the org's My Domain URL. Plain http is accepted
         * for loopback addresses only (the emulator).
         */
        Optional<URI> loginUrl();

        /** Login flow; decides which of the credential keys below are required. */
        @WithDefault("username-password")
        AuthType authType();

        /** Consumer key of the connected app (all flows). */
        Optional<String> clientId();

        /** Consumer secret of the connected app (all flows but JWT). */
        Optional<String> clientSecret();

        /** Integration user's username (username-password and JWT flows). */
        Optional<String> username();

        /** Integration user's password with the security token appended (username-password flow). */
        Optional<String> password();

        /** OAuth refresh token (refresh-token flow). */
        Optional<String> refreshToken();

        /** Signing key for the JWT bearer flow. */
        Jwt jwt();

        /** REST/Streaming API version used for every call, e.g. {@code 61.0}. */
        @WithDefault("61.0")
        String apiVersion();

        /**
         * Name sent as {@code Sforce-Call-Options: client=<name>} on every write, so that change
         * events caused by Sluice itself can be recognised and not written back.
         */
        @WithDefault("sluice")
        String clientName();
    }

    /** Salesforce login flows Sluice supports. */
    enum AuthType {
        USERNAME_PASSWORD,
        REFRESH_TOKEN,
        CLIENT_CREDENTIALS,
        JWT
    }

    /** Key store holding the private key of the JWT bearer flow. */
    interface Jwt {

        /** Key store location: a file path or {@code classpath:...}. */
        Optional<String> keystore();

        /** Key store password. */
        Optional<String> keystorePassword();

        /** Key store type. */
        @WithDefault("PKCS12")
        String keystoreType();

        /** Alias of the signing key; the key store's only key when absent. */
        Optional<String> keyAlias();
    }

    /** Staging area for raw NDJSON change batches (the replayable changelog). */
    interface Staging {

        /**
         * Camel endpoint URI of the staging area: {@code file:<dir>} for a local directory or
         * {@code aws2-s3:<bucket>} for S3 (then see {@code sync.staging.s3.*}).
         */
        @WithDefault("file:target/staging")
        String uri();

        /** S3 connection settings, used when {@link #uri()} is an {@code aws2-s3:} URI. */
        S3 s3();
    }

    /** S3 (or S3-compatible) connection settings of the staging area. */
    interface S3 {

        /** Endpoint of an S3-compatible service; absent means AWS itself. */
        Optional<URI> endpoint();

        /** AWS region. */
        @WithDefault("us-east-1")
        String region();

        /** Bucket name. */
        Optional<String> bucket();

        /** Access key id; absent means the AWS default credentials chain. */
        Optional<String> accessKey();

        /** Secret access key; required with {@link #accessKey()}. */
        Optional<String> secretKey();

        /** Path-style addressing ({@code endpoint/bucket/key}), needed by most S3-compatible services. */
        @WithDefault("false")
        boolean forcePathStyle();
    }

    /** Dev-mode embedded services (see {@code sync.embedded.EmbeddedDefaultsConfigSourceFactory}). */
    interface Embedded {

        /**
         * In the dev profile, start an embedded PostgreSQL and the Salesforce emulator and point
         * the datasource and {@code sync.salesforce.*} at them. Ignored in other profiles.
         */
        @WithDefault("false")
        boolean enabled();

        /** Port of the embedded Salesforce emulator; 0 picks a free port. */
        @WithDefault("8999")
        int emulatorPort();
    }

    /** Batching of the Salesforce -> PostgreSQL apply. */
    interface Apply {

        /** Change events per batch (one staged object, one transaction). */
        @WithDefault("500")
        int batchSize();

        /** Longest wait, in milliseconds, for a batch to fill before it is applied anyway. */
        @WithDefault("100")
        int batchMaxWaitMillis();
    }

    /**
     * Files of Salesforce records (JSON lines or CSV with a header) that other tools drop under
     * {@code inbound/<mapping>/} of the staging area, applied to the mapping's table with the same
     * upsert as change events. Applied files move to {@code inbound-done/<mapping>/}, unreadable
     * ones to {@code inbound-failed/<mapping>/}.
     */
    interface Inbound {

        /** Poll the inbound prefix of every mapping that syncs to PostgreSQL. */
        @WithDefault("true")
        boolean enabled();

        /** Milliseconds between two polls of the inbound prefixes (one listing per mapping each). */
        @WithDefault("2000")
        long pollMillis();
    }

    /**
     * PostgreSQL -> Salesforce: an embedded Debezium connector (pgoutput) reads the mapped tables'
     * changes from a replication slot over a publication; they wait in {@code sync.outbound_change}
     * and are written to Salesforce in sObject Collections calls, or Bulk API 2.0 ingest jobs for backlogs.
     */
    interface Outbound {

        /**
         * Logical replication slot Sluice reads; created by Debezium on first start when the role
         * has the REPLICATION attribute. One slot per Sluice deployment and database.
         */
        @WithDefault("sluice")
        String slotName();

        /**
         * Publication covering exactly the mapped tables (and {@code sync.heartbeat}). Sluice
         * creates it, and adds or removes tables as mappings change, when {@link #managePublication()}
         * is on; otherwise a DBA creates it (see the README) and Sluice only checks it.
         */
        @WithDefault("sluice")
        String publicationName();

        /** Create and alter the publication (needs ownership of the tables, or superuser). */
        @WithDefault("true")
        boolean managePublication();

        /** Records per sObject Collections call (Salesforce accepts at most 200). */
        @WithDefault("200")
        int batchSize();

        /**
         * Longest wait, in milliseconds, for a call to fill before it is sent anyway. 150 keeps a
         * steady 1,000 changes/s at about 5 API calls per 1,000 changes (one Composite call per
         * round) with a p99 latency near 250 ms; 100 made about 7.7.
         */
        @WithDefault("150")
        int batchMaxWaitMillis();

        /**
         * Backlogs go through Bulk API 2.0 ingest jobs: when more than this many changes of one
         * mapping are due, the operations (create, upsert, update, delete) with more than this
         * many records each go in one ingest job (a handful of API calls) instead of calls of
         * {@link #batchSize()} records. 0 never uses Bulk API. At most 100000.
         */
        @WithDefault("10000")
        int bulkThreshold();

        /**
         * Milliseconds between Debezium heartbeats; each writes {@code sync.heartbeat} so the
         * slot's confirmed position advances while the mapped tables are idle.
         */
        @WithDefault("10000")
        long heartbeatMillis();

        /** Readiness turns DOWN when the slot retains more WAL than this many bytes. */
        @WithDefault("1073741824")
        long maxSlotLagBytes();

        /**
         * Salesforce API calls Sluice may make per rolling 24 hours (its own writes), besides the
         * org's limit reported in Sforce-Limit-Info. Absent: only the org's limit applies.
         */
        Optional<Long> dailyApiBudget();

        /**
         * Stop writing when the org's reported API usage reaches this share of its daily limit
         * (0-1); writing resumes as the usage window moves on. Nothing is dropped meanwhile.
         */
        @WithDefault("0.9")
        double maxApiUsage();

        /**
         * How long sent changes are kept: the Salesforce -> PostgreSQL flow recognises the change
         * events caused by Sluice's own writes (and resolves conflicts) within this window. Older
         * settled changes are pruned, except what the writer still needs (see OutboundPruner).
         */
        @WithDefault("PT1H")
        java.time.Duration echoWindow();
    }

    /** One Salesforce object synced with one PostgreSQL table. */
    interface Mapping {

        /** Salesforce object API name, e.g. {@code Account} or {@code Loan__c}. */
        String object();

        /** PostgreSQL table, {@code table} or {@code schema.table}. */
        String table();

        /** Which way changes flow. */
        @WithDefault("both")
        Direction direction();

        /** Column holding the Salesforce record Id. */
        @WithDefault("sfid")
        String idColumn();

        /**
         * Create the table from Salesforce's describe when it does not exist (columns typed from
         * the field types, the Id column unique). Off by default: usually an application owns it.
         */
        @WithDefault("false")
        boolean autoCreate();

        /** Salesforce field API name to PostgreSQL column, e.g. {@code BillingCity: billing_city}. */
        Map<String, String> fields();

        /** External Id used to upsert PostgreSQL rows into Salesforce. */
        Optional<ExternalId> externalId();

        /** What a delete on one side does on the other. */
        Deletes deletes();

        /** Which side wins when both changed the same record. */
        @WithDefault("last-writer-wins")
        ConflictPolicy conflicts();
    }

    /** Which way a mapping syncs. */
    enum Direction {
        TO_POSTGRES,
        TO_SALESFORCE,
        BOTH
    }

    /** Conflict resolution between concurrent edits on both sides. */
    enum ConflictPolicy {
        LAST_WRITER_WINS,
        SALESFORCE_WINS,
        POSTGRES_WINS
    }

    /** A Salesforce external Id field and the PostgreSQL column whose value it holds. */
    interface ExternalId {

        /** External Id field API name, e.g. {@code Pg_Id__c}. */
        String field();

        /** PostgreSQL column copied into that field, e.g. {@code id}. */
        String column();
    }

    /** Delete propagation in both directions. */
    interface Deletes {

        /**
         * A Salesforce delete in PostgreSQL: {@code hard} deletes the row, {@code soft(<column>)}
         * sets that boolean column to true, {@code ignore} keeps the row.
         */
        @WithDefault("hard")
        @WithConverter(PostgresDeletePolicy.Converter.class)
        PostgresDeletePolicy inPostgres();

        /** A PostgreSQL delete in Salesforce: {@code delete} the record or {@code ignore} it. */
        @WithDefault("delete")
        SalesforceDeletePolicy inSalesforce();
    }

    /** What a PostgreSQL delete does in Salesforce. */
    enum SalesforceDeletePolicy {
        DELETE,
        IGNORE
    }
}
