package sync.salesforce;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SalesforceReader#since} against the emulator: above the threshold through a Bulk API 2.0
 * queryAll job (CSV pages), below it through REST query paging, with the same records in the
 * same order either way.
 */
class SalesforceReaderBulkTest {
    static final int RECORDS = 1_200;
    static final String TRICKY = "Grüße, \"quoted\" 世界 🌍\nsecond line, with a comma";
    static final List<String> FIELDS = List.of("Name", "NumberOfEmployees", "AnnualRevenue", "Description");
    static SalesforceTestSupport sf;
    static final BulkQueryReader.Settings FAST = BulkQueryReader.Settings.defaults().withPageSize(500)
            .withPolling(Duration.ofMillis(10), Duration.ofMillis(50)).withRetries(3, Duration.ofMillis(10));

    List<String> ids;
    List<String> deleted;

    @BeforeAll
    static void start() {
        sf = new SalesforceTestSupport();
    }

    @AfterAll
    static void stop() {
        if (sf != null) {
            sf.close();
        }
    }

    @BeforeEach
    void seed() {
        sf.reset();
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < RECORDS; i++) {
            json.append(i == 0 ? "" : ",").append("{\"Name\":\"Bulk ").append(i).append("\",\"NumberOfEmployees\":").append(i);
            if (i % 100 == 0) {
                json.append(",\"AnnualRevenue\":").append(i + 1).append("234.5");
            }
            if (i == 7) {
                json.append(",\"Description\":").append(SalesforceTestSupport.json(TRICKY));
            }
            json.append('}');
        }
        ids = sf.seed("Account", json.append(']').toString());
        assertThat(ids).hasSize(RECORDS);
        deleted = List.of(ids.get(3), ids.get(500), ids.get(1_199));
        deleted.forEach(id -> sf.delete("Account", id));
        sf.org.counters().reset();
    }

    SalesforceReader reader(long threshold) {
        return new SalesforceReader(sf.template, threshold, new BulkQueryReader(sf.template, FAST));
    }

    @Test
    void aboveTheThresholdEveryRecordComesOnceThroughBulkWithDeletionsAndValuesIntact() {
        List<List<Map<String, Object>>> pages = new ArrayList<>();
        long n = reader(1_000).since("Account", FIELDS, null, p -> pages.add(new ArrayList<>(p)));

        assertThat(n).isEqualTo(RECORDS);
        assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p).hasSizeLessThanOrEqualTo(500));
        List<Map<String, Object>> all = pages.stream().flatMap(List::stream).toList();
        Set<Object> seen = new HashSet<>();
        assertThat(all).allSatisfy(r -> assertThat(seen.add(r.get("Id"))).as("once: %s", r.get("Id")).isTrue());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
        Map<Object, Map<String, Object>> byId = new LinkedHashMap<>();
        all.forEach(r -> byId.put(r.get("Id"), r));
        for (String id : deleted) {
            assertThat(byId.get(id).get("IsDeleted")).isEqualTo(Boolean.TRUE);
        }
        assertThat(all.stream().filter(r -> Boolean.FALSE.equals(r.get("IsDeleted")))).hasSize(RECORDS - deleted.size());
        Map<String, Object> r7 = byId.get(ids.get(7));
        assertThat(r7).containsKeys("Id", "IsDeleted", "SystemModstamp", "Name", "NumberOfEmployees", "AnnualRevenue", "Description");
        assertThat(r7.get("Name")).isEqualTo("Bulk 7");
        assertThat(r7.get("NumberOfEmployees")).isEqualTo("7");
        assertThat(r7.get("AnnualRevenue")).as("empty CSV value is null").isNull();
        assertThat(r7.get("Description")).isEqualTo(TRICKY);
        assertThat(byId.get(ids.get(0)).get("NumberOfEmployees")).isEqualTo("0");
        assertThat(byId.get(ids.get(200)).get("AnnualRevenue")).as("currency with scale 0, rounded by Salesforce").isEqualTo("201235");
        assertThat(byId.get(ids.get(3)).get("Name")).as("deleted records keep their values").isEqualTo("Bulk 3");
        assertThat((String) r7.get("SystemModstamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertAscending(all);

        assertThat(sf.counter("bulk.query.create")).isEqualTo(1);
        assertThat(sf.counter("bulk.query.info")).isGreaterThanOrEqualTo(1);
        assertThat(sf.counter("bulk.query.results")).isEqualTo(3);
        assertThat(sf.counter("bulk.query.delete")).as("the job is deleted once read").isEqualTo(1);
        assertThat(sf.counter("rest.queryAll")).as("only the COUNT()").isEqualTo(1);
        assertThat(sf.counter("rest.query")).isZero();
        assertThat(sf.counter("rest.query.more")).isZero();
    }

    @Test
    void belowTheThresholdRestQueryPagingRuns() {
        List<Map<String, Object>> all = new ArrayList<>();
        long n = reader(5_000).since("Account", FIELDS, null, all::addAll);

        assertThat(n).isEqualTo(RECORDS);
        assertThat(all).extracting(r -> r.get("Id")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(all.stream().filter(r -> Boolean.TRUE.equals(r.get("IsDeleted"))).map(r -> r.get("Id")))
                .containsExactlyInAnyOrderElementsOf(deleted);
        assertThat(all.get(0).get("NumberOfEmployees")).as("JSON values on the REST path").isInstanceOf(Number.class);
        assertAscending(all);
        assertThat(sf.counter("rest.queryAll")).as("COUNT() and the query").isEqualTo(2);
        assertThat(sf.counter("bulk.query.create")).isZero();
    }

    @Test
    void bothPathsReadTheSameRecordsInTheSameOrderAndHonourTheWatermark() {
        List<Map<String, Object>> rest = new ArrayList<>();
        List<Map<String, Object>> bulk = new ArrayList<>();
        reader(Long.MAX_VALUE).since("Account", FIELDS, null, rest::addAll);
        reader(0).since("Account", FIELDS, null, bulk::addAll);
        assertThat(bulk).extracting(r -> r.get("Id")).containsExactlyElementsOf(rest.stream().map(r -> r.get("Id")).toList());
        assertThat(bulk).extracting(r -> r.get("IsDeleted")).containsExactlyElementsOf(rest.stream().map(r -> r.get("IsDeleted")).toList());
        assertThat(bulk).extracting(r -> Instant.parse((String) r.get("SystemModstamp")))
                .containsExactlyElementsOf(rest.stream().map(r -> stamp(r)).toList());

        // From the newest stamp on: the same (non-empty) tail either way.
        Instant newest = stamp(rest.get(rest.size() - 1));
        List<Object> restTail = new ArrayList<>();
        List<Object> bulkTail = new ArrayList<>();
        reader(Long.MAX_VALUE).since("Account", FIELDS, newest, p -> p.forEach(r -> restTail.add(r.get("Id"))));
        reader(0).since("Account", FIELDS, newest, p -> p.forEach(r -> bulkTail.add(r.get("Id"))));
        assertThat(restTail).isNotEmpty().hasSizeLessThan(RECORDS).containsExactlyElementsOf(bulkTail);
        assertThat(reader(0).count("Account", newest)).isEqualTo(restTail.size());
    }

    @Test
    void countsStillWork() {
        SalesforceReader reader = reader(1_000);
        assertThat(reader.count("Account")).as("live records").isEqualTo(RECORDS - deleted.size());
        assertThat(reader.count("Account", null)).as("deleted ones included").isEqualTo(RECORDS);
        assertThat(reader.count("Account", Instant.now().plusSeconds(3600))).isZero();
        assertThat(reader.bulkThreshold()).isEqualTo(1_000);
        assertThat(new SalesforceReader(sf.template).bulkThreshold()).isEqualTo(SalesforceReader.DEFAULT_BULK_THRESHOLD);
    }

    @Test
    void aTransientFailureOfAResultsPageIsRetried() {
        assertThat(sf.http.admin("faults", "{\"endpoint\":\"bulk.query.results\",\"fault\":\"503\",\"times\":1}").status())
                .isEqualTo(200);
        List<Object> all = new ArrayList<>();
        long n = reader(0).since("Account", FIELDS, null, p -> p.forEach(r -> all.add(r.get("Id"))));
        assertThat(n).isEqualTo(RECORDS);
        assertThat(all).doesNotHaveDuplicates().hasSize(RECORDS);
        assertThat(sf.counter("bulk.query.results")).isEqualTo(4);
    }

    @Test
    void aQueryJobSalesforceRejectsIsAClearError() {
        assertThatThrownBy(() -> reader(0).since("Account", List.of("Name", "NoSuchField__c"), null, p -> {
        }))
                .isInstanceOf(BulkQueryReader.BulkQueryException.class)
                .hasMessageContaining("Bulk API 2.0 query job could not be created")
                .hasMessageContaining("INVALID_FIELD")
                .hasMessageContaining("NoSuchField__c");
        assertThat(sf.counter("bulk.query.results")).isZero();
    }

    @Test
    void anUnknownObjectIsAClearErrorOnTheRestPathToo() {
        assertThatThrownBy(() -> reader(Long.MAX_VALUE).since("NoSuchObject__c", List.of("Name"), null, p -> {
        })).hasStackTraceContaining("NoSuchObject__c");
    }

    static Instant stamp(Map<String, Object> r) {
        String s = (String) r.get("SystemModstamp");
        return java.time.OffsetDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX][XX]"))
                .toInstant();
    }

    static void assertAscending(List<Map<String, Object>> records) {
        for (int i = 1; i < records.size(); i++) {
            Instant a = stamp(records.get(i - 1));
            Instant b = stamp(records.get(i));
            assertThat(b).as("record %d not older than record %d", i, i - 1).isAfterOrEqualTo(a);
            if (a.equals(b)) {
                assertThat(records.get(i).get("Id").toString()).isGreaterThan(records.get(i - 1).get("Id").toString());
            }
        }
    }
}
