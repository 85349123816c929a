package sync.staging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sync.change.Change;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class InboundFilesTest {

    private static final String A = "0015f00002J9YaUAAV";
    private static final String B15 = "0015f00002J9YbX";

    private static InboundFiles.Parsed parse(String key, String content) {
        return InboundFiles.parse(key, content.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inbound/account/a.json", "inbound/account/a.jsonl", "inbound/account/A.NDJSON"})
    void jsonLinesAreReadLineByLine(String key) {
        InboundFiles.Parsed parsed = parse(key, """
                {"attributes":{"type":"Account"},"Id":"%s","Name":"Grüße 東京","AnnualRevenue":1234.50,"LastModifiedDate":"2024-04-09T20:26:27.000+0000"}

                {"Id":"%s","Name":null,"IsDeleted":false,"SystemModstamp":"2024-04-09T20:26:28Z"}
                """.formatted(A, B15));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.records()).extracting(InboundFiles.InboundRecord::line, InboundFiles.InboundRecord::id,
                        InboundFiles.InboundRecord::modifiedAt)
                .containsExactly(tuple(1, A, Instant.parse("2024-04-09T20:26:27Z")),
                        tuple(3, "0015f00002J9YbXAAV", Instant.parse("2024-04-09T20:26:28Z")));
        assertThat(parsed.records().get(0).values()).containsEntry("Name", "Grüße 東京")
                .containsEntry("AnnualRevenue", new BigDecimal("1234.50"));
        assertThat(parsed.records().get(1).values()).containsEntry("Name", null);
    }

    @Test
    void aJsonArrayIsReadToo() {
        InboundFiles.Parsed parsed = parse("inbound/account/a.json", """
                [
                  {"Id":"%s","LastModifiedDate":"2024-04-09T20:26:27.000Z"},
                  42,
                  {"Name":"no id","LastModifiedDate":"2024-04-09T20:26:27.000Z"}
                ]
                """.formatted(A));

        assertThat(parsed.records()).extracting(InboundFiles.InboundRecord::line).containsExactly(2);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::line, InboundFiles.Problem::reason)
                .containsExactly(tuple(3, "array element is not a JSON object"), tuple(4, "record has no Id"));
    }

    @Test
    void csvWithQuotingEmbeddedNewlinesAndBom() {
        String csv = "\uFEFFId,Name,Description,LastModifiedDate,Phone\r\n"
                + A + ",\"Acme, Inc.\",\"line one\r\nline \"\"two\"\"\",2024-04-09T20:26:27.000+0000,\r\n"
                + B15 + ",Émile,\"\",2024-04-09T20:26:30.000+0000,555\r\n";

        InboundFiles.Parsed parsed = parse("inbound/account/export.csv", csv);

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.records()).extracting(InboundFiles.InboundRecord::line).containsExactly(2, 4);
        assertThat(parsed.records().get(0).values())
                .containsOnlyKeys("Id", "Name", "Description", "LastModifiedDate", "Phone")
                .containsEntry("Name", "Acme, Inc.")
                .containsEntry("Description", "line one\r\nline \"two\"")
                .containsEntry("Phone", null);
        assertThat(parsed.records().get(1).values()).containsEntry("Name", "Émile").containsEntry("Description", "");
        assertThat(parsed.records().get(1).id()).isEqualTo("0015f00002J9YbXAAV");
    }

    @Test
    void badRecordsAreReportedWithKeyAndLineWhileGoodOnesAreKept() {
        String key = "inbound/account/mixed.csv";
        String csv = String.join("\n",
                "Id,Name,LastModifiedDate",
                A + ",ok,2024-04-09T20:26:27.000+0000",
                ",no id,2024-04-09T20:26:27.000+0000",
                "001XYZ,short id,2024-04-09T20:26:27.000+0000",
                A + ",too,many,2024-04-09T20:26:27.000+0000",
                A + ",\"bad\"quote,2024-04-09T20:26:27.000+0000",
                A + ",no date,",
                A + ",bad date,yesterday",
                B15 + ",ok too,2024-04-09T20:26:28Z",
                "");

        InboundFiles.Parsed parsed = parse(key, csv);

        assertThat(parsed.records()).extracting(InboundFiles.InboundRecord::line).containsExactly(2, 9);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::key).containsOnly(key);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::line).containsExactly(3, 4, 5, 6, 7, 8);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::reason).satisfiesExactly(
                r -> assertThat(r).contains("no Id"),
                r -> assertThat(r).contains("'001XYZ' is not a Salesforce record Id"),
                r -> assertThat(r).contains("has 4 fields, the header has 3"),
                r -> assertThat(r).contains("after the closing quote"),
                r -> assertThat(r).contains("neither LastModifiedDate nor SystemModstamp"),
                r -> assertThat(r).contains("'yesterday' is not a date-time"));
        assertThat(parsed.problems().get(0).toString()).isEqualTo(key + ":3: record has no Id");
    }

    @Test
    void malformedJsonLinesAreReportedAndTheRestIsRead() {
        InboundFiles.Parsed parsed = parse("inbound/account/a.jsonl", """
                {"Id":"%1$s","LastModifiedDate":"2024-04-09T20:26:27Z"}
                {"Id":"%1$s","LastModifiedDate":
                ["not","an","object"]
                {"Id":"%1$s","Id":"%1$s","LastModifiedDate":"2024-04-09T20:26:27Z"}
                {"Id":42,"LastModifiedDate":"2024-04-09T20:26:27Z"}
                {"Id":"%1$s","LastModifiedDate":"2024-04-09T20:26:29Z"}
                """.formatted(A));

        assertThat(parsed.records()).extracting(InboundFiles.InboundRecord::line).containsExactly(1, 6);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::line).containsExactly(2, 3, 4, 5);
        assertThat(parsed.problems().get(2).reason()).contains("Duplicate field 'Id'");
    }

    @Test
    void anUnterminatedQuoteStopsTheFileAtTheRecordThatOpenedIt() {
        InboundFiles.Parsed parsed = parse("inbound/account/a.csv",
                "Id,Name,LastModifiedDate\n" + A + ",ok,2024-04-09T20:26:27Z\n" + A + ",\"never closed,2024-04-09T20:26:27Z\n");

        assertThat(parsed.records()).hasSize(1);
        assertThat(parsed.problems()).extracting(InboundFiles.Problem::line, InboundFiles.Problem::reason)
                .containsExactly(tuple(3, "quoted field opened on line 3 is never closed"));
    }

    @Test
    void wholeFileProblems() {
        byte[] latin1 = ("Id,Name,LastModifiedDate\n" + A + ",Émile,2024-04-09T20:26:27Z\n").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(InboundFiles.parse("inbound/account/a.csv", latin1).problems())
                .extracting(InboundFiles.Problem::line, InboundFiles.Problem::reason)
                .containsExactly(tuple(2, "not UTF-8 text; re-export the file as UTF-8"));
        assertThat(parse("inbound/account/a.xlsx", "x").problems()).extracting(InboundFiles.Problem::line).containsExactly(0);
        assertThat(parse("inbound/account/a.csv", "Id,Id\n").problems()).extracting(InboundFiles.Problem::reason)
                .containsExactly("header names column 'Id' twice");
        assertThat(parse("inbound/account/a.csv", "")).satisfies(p -> {
            assertThat(p.records()).isEmpty();
            assertThat(p.problems()).isEmpty();
        });
    }

    @Test
    void latestLastModifiedDateWinsPerId() {
        InboundFiles.Parsed first = parse("inbound/account/1.jsonl", """
                {"Id":"%1$s","Name":"v2","LastModifiedDate":"2024-04-09T20:26:28.000+0000"}
                {"Id":"%2$s","Name":"b1","LastModifiedDate":"2024-04-09T20:00:00.000+0000"}
                {"Id":"%1$s","Name":"v1","LastModifiedDate":"2024-04-09T20:26:27.000+0000"}
                """.formatted(A, B15));
        InboundFiles.Parsed second = parse("inbound/account/2.csv", """
                Id,Name,LastModifiedDate
                %1$s,v2 again,2024-04-09T20:26:28Z
                %1$s,v0,2024-04-09T19:00:00Z
                """.formatted(A.toLowerCase(java.util.Locale.ROOT)));
        List<InboundFiles.InboundRecord> all = new java.util.ArrayList<>(first.records());
        all.addAll(second.records());

        List<InboundFiles.InboundRecord> latest = InboundFiles.latestById(all);

        assertThat(latest).extracting(r -> r.values().get("Name")).containsExactly("b1", "v2 again");
        assertThat(latest).extracting(InboundFiles.InboundRecord::id).containsExactly("0015f00002J9YbXAAV", A);
    }

    @Test
    void recordsBecomeUpsertsAndDeletes() {
        InboundFiles.Parsed parsed = parse("inbound/account/x.json", """
                {"attributes":{"type":"Account","url":"/x"},"Id":"%s","Name":"Acme","Phone":null,"BillingAddress":{"street":"s"},"BillingStreet":"s","LastModifiedDate":"2024-04-09T20:26:27.000+0000"}
                {"Id":"%s","IsDeleted":"TRUE","Name":"gone","SystemModstamp":"2024-04-09T20:26:29.000Z"}
                """.formatted(A, B15));

        List<Change> changes = InboundFiles.toChanges("account", parsed.records());

        assertThat(changes).hasSize(2);
        Change upsert = changes.get(0);
        assertThat(upsert.op()).isEqualTo(Change.Op.UPSERT);
        assertThat(upsert.origin()).isEqualTo(Change.Origin.SALESFORCE);
        assertThat(upsert.mapping()).isEqualTo("account");
        assertThat(upsert.sfid()).isEqualTo(A);
        assertThat(upsert.commitTime()).isEqualTo(Instant.parse("2024-04-09T20:26:27Z"));
        assertThat(upsert.position()).isEqualTo("inbound:inbound/account/x.json#1");
        assertThat(upsert.fields()).containsExactly(Map.entry("Name", "Acme"), entry("Phone", null),
                Map.entry("BillingStreet", "s"), Map.entry("LastModifiedDate", "2024-04-09T20:26:27.000+0000"));
        Change delete = changes.get(1);
        assertThat(delete.op()).isEqualTo(Change.Op.DELETE);
        assertThat(delete.sfid()).isEqualTo("0015f00002J9YbXAAV");
        assertThat(delete.fields()).isEmpty();
        assertThat(delete.commitTime()).isEqualTo(Instant.parse("2024-04-09T20:26:29Z"));
        assertThat(delete.position()).isEqualTo("inbound:inbound/account/x.json#2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-04-09T20:26:27.000+0000", "2024-04-09T20:26:27.000Z", "2024-04-09T20:26:27Z",
            "2024-04-09T22:26:27.000+0200", "2024-04-09T20:26:27+00:00"})
    void salesforceDateTimeForms(String text) {
        assertThat(InboundFiles.timestamp(text)).isEqualTo(Instant.parse("2024-04-09T20:26:27Z"));
    }

    private static Map.Entry<String, Object> entry(String k, Object v) {
        return new java.util.AbstractMap.SimpleEntry<>(k, v);
    }
}
