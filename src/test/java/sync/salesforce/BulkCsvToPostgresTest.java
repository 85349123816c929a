package sync.salesforce;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.apply.ApplyResult;
import sync.apply.MappingFixture;
import sync.apply.PostgresApplier;
import sync.apply.TestDb;
import sync.change.RecordSnapshots;
import sync.config.SyncConfig;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records read through Bulk API 2.0 (every value a CSV string) land in PostgreSQL exactly as the
 * REST path's JSON values do: currency, percent, double, int-like, boolean, date, datetime, time,
 * picklist, multi-select picklist (text[]), long Unicode text, nulls, and deletions.
 */
class BulkCsvToPostgresTest {
    static final String SCHEMA = "bulk_csv";
    static final String NOTES = "Grüße, \"quoted\" 世界 🌍\nsecond line; with a semicolon, and a comma\n".repeat(300);
    static SalesforceTestSupport sf;
    static ResolvedMapping mapping;
    static PostgresApplier applier;

    @BeforeAll
    static void setUp() throws Exception {
        sf = new SalesforceTestSupport();
        sf.reset();
        TestDb.freshSchema(SCHEMA);
        TestDb.exec("""
                CREATE TABLE bulk_csv.invoice (
                    sfid text PRIMARY KEY, name text, amount numeric(16,2), discount numeric(5,2), line_count bigint,
                    due date, issued timestamptz, reminder time, paid boolean, status text, tags text[], notes text)""");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Name", "name");
        fields.put("Amount__c", "amount");
        fields.put("Discount__c", "discount");
        fields.put("Line_Count__c", "line_count");
        fields.put("Due_Date__c", "due");
        fields.put("Issued_At__c", "issued");
        fields.put("Reminder_Time__c", "reminder");
        fields.put("Paid__c", "paid");
        fields.put("Status__c", "status");
        fields.put("Tags__c", "tags");
        fields.put("Notes__c", "notes");
        MappingFixture m = new MappingFixture("Invoice__c", "bulk_csv.invoice", SyncConfig.Direction.TO_POSTGRES, "sfid",
                fields, MappingFixture.policy("hard"));
        try (Connection c = TestDb.dataSource().getConnection()) {
            mapping = MappingResolver.resolve("invoices", m, Describes.fields(sf.template, "Invoice__c"), c);
        }
        applier = new PostgresApplier(TestDb.dataSource(), "bulkcsvtest");
    }

    @AfterAll
    static void stop() {
        if (sf != null) {
            sf.close();
        }
    }

    long resync() {
        SalesforceReader reader = new SalesforceReader(sf.template, 0, new BulkQueryReader(sf.template,
                BulkQueryReader.Settings.defaults().withPolling(Duration.ofMillis(10), Duration.ofMillis(50))));
        List<String> names = new ArrayList<>(mapping.fields().stream().map(f -> f.field()).toList());
        long[] applied = {0};
        long read = reader.since("Invoice__c", names, null, page -> {
            ApplyResult r = applier.apply(mapping, RecordSnapshots.toChanges(mapping.name(), page, "test"), null);
            assertThat(r.deadLetters()).isEmpty();
            applied[0] += r.applied();
        });
        assertThat(sf.counter("bulk.query.create")).isPositive();
        return read;
    }

    @Test
    void everyTypeSurvivesTheCsvPathIntoPostgres() {
        List<String> ids = sf.seed("Invoice__c", "[" + """
                {"Name":"INV-1","Amount__c":12345.67,"Discount__c":12.5,"Line_Count__c":42,"Due_Date__c":"2024-02-29",
                 "Issued_At__c":"2024-04-09T20:26:27.000+0000","Reminder_Time__c":"08:30:00.000Z","Paid__c":true,
                 "Status__c":"Sent","Tags__c":"Urgent;Export","Notes__c":%s},
                {"Name":"INV-2","Paid__c":false},
                {"Name":"INV-3","Amount__c":-0.5,"Discount__c":0,"Line_Count__c":0,"Tags__c":"Disputed"}
                """.formatted(SalesforceTestSupport.json(NOTES)) + "]");
        assertThat(resync()).isEqualTo(3);

        Map<String, Object> one = row(ids.get(0));
        assertThat(one.get("name")).isEqualTo("INV-1");
        assertThat(one.get("amount")).isEqualTo(new BigDecimal("12345.67"));
        assertThat(one.get("discount")).isEqualTo(new BigDecimal("12.50"));
        assertThat(one.get("line_count")).isEqualTo(42L);
        assertThat(one.get("due")).isEqualTo(java.sql.Date.valueOf(LocalDate.of(2024, 2, 29)));
        assertThat(((java.sql.Timestamp) one.get("issued")).toInstant())
                .isEqualTo(OffsetDateTime.of(2024, 4, 9, 20, 26, 27, 0, ZoneOffset.UTC).toInstant());
        assertThat(((java.sql.Time) one.get("reminder")).toLocalTime()).isEqualTo(LocalTime.of(8, 30));
        assertThat(one.get("paid")).isEqualTo(true);
        assertThat(one.get("status")).isEqualTo("Sent");
        assertThat(one.get("tags")).isEqualTo(new String[]{"Urgent", "Export"});
        assertThat(one.get("notes")).isEqualTo(NOTES);

        Map<String, Object> two = row(ids.get(1));
        assertThat(two.get("paid")).isEqualTo(false);
        assertThat(two).containsEntry("amount", null).containsEntry("due", null).containsEntry("issued", null)
                .containsEntry("reminder", null).containsEntry("tags", null).containsEntry("notes", null)
                .containsEntry("status", null);

        Map<String, Object> three = row(ids.get(2));
        assertThat(three.get("amount")).isEqualTo(new BigDecimal("-0.50"));
        assertThat(three.get("discount")).isEqualTo(new BigDecimal("0.00"));
        assertThat(three.get("line_count")).isEqualTo(0L);
        assertThat(three.get("tags")).isEqualTo(new String[]{"Disputed"});

        // A deletion read back through Bulk (IsDeleted=true) removes the row (hard delete policy).
        sf.delete("Invoice__c", ids.get(2));
        assertThat(resync()).isEqualTo(3);
        assertThat(TestDb.value("SELECT count(*) FROM bulk_csv.invoice WHERE sfid = '" + ids.get(2) + "'")).isEqualTo(0L);
        assertThat(TestDb.value("SELECT count(*) FROM bulk_csv.invoice")).isEqualTo(2L);
    }

    static Map<String, Object> row(String id) {
        List<Map<String, Object>> rows = TestDb.rows("SELECT * FROM bulk_csv.invoice WHERE sfid = '" + id + "'");
        assertThat(rows).hasSize(1);
        Map<String, Object> r = new LinkedHashMap<>(rows.get(0));
        if (r.get("tags") instanceof java.sql.Array a) {
            try {
                r.put("tags", a.getArray());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return r;
    }
}
