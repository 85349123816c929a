package sync.salesforce;

import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job polling and the CSV reading of {@link BulkQueryReader}, without a running job. */
class BulkQueryReaderTest {
    static SalesforceTestSupport sf;

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

    static BulkQueryReader.JobStatus st(JobStateEnum s) {
        return new BulkQueryReader.JobStatus(s, null);
    }

    @Test
    void pollsWithAGrowingDelayUntilTheJobIsComplete() {
        List<Duration> slept = new ArrayList<>();
        BulkQueryReader reader = new BulkQueryReader(sf.template, BulkQueryReader.Settings.defaults()
                .withPolling(Duration.ofMillis(250), Duration.ofSeconds(1)), slept::add);
        Deque<BulkQueryReader.JobStatus> states = new ArrayDeque<>(List.of(st(JobStateEnum.UPLOAD_COMPLETE),
                st(JobStateEnum.IN_PROGRESS), st(JobStateEnum.IN_PROGRESS), st(JobStateEnum.IN_PROGRESS),
                st(JobStateEnum.IN_PROGRESS), st(JobStateEnum.JOB_COMPLETE)));
        reader.awaitCompletion("750xx0000000001AAA", id -> states.pop());
        assertThat(states).isEmpty();
        assertThat(slept).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void aFailedJobNamesTheJobAndSalesforcesErrorMessage() {
        BulkQueryReader reader = new BulkQueryReader(sf.template, BulkQueryReader.Settings.defaults(), d -> {
        });
        Deque<BulkQueryReader.JobStatus> states = new ArrayDeque<>(List.of(st(JobStateEnum.IN_PROGRESS),
                new BulkQueryReader.JobStatus(JobStateEnum.FAILED, "InvalidBatch : Failed to process query: OPERATION_TOO_LARGE")));
        assertThatThrownBy(() -> reader.awaitCompletion("750xx0000000002AAA", id -> states.pop()))
                .isInstanceOf(BulkQueryReader.BulkQueryException.class)
                .hasMessage("Bulk API 2.0 query job 750xx0000000002AAA failed: InvalidBatch : Failed to process query: OPERATION_TOO_LARGE")
                .extracting(e -> ((BulkQueryReader.BulkQueryException) e).jobId()).isEqualTo("750xx0000000002AAA");
        assertThatThrownBy(() -> reader.awaitCompletion("750xx0000000003AAA",
                id -> new BulkQueryReader.JobStatus(JobStateEnum.ABORTED, null)))
                .hasMessage("Bulk API 2.0 query job 750xx0000000003AAA was aborted: (Salesforce gave no errorMessage)");
    }

    @Test
    void aJobThatOutlivesTheTimeoutIsAbortedAndFails() {
        BulkQueryReader reader = new BulkQueryReader(sf.template, BulkQueryReader.Settings.defaults()
                .withPolling(Duration.ofMillis(5), Duration.ofMillis(10)).withTimeout(Duration.ofMillis(100)));
        sf.org.counters().reset();
        assertThatThrownBy(() -> reader.awaitCompletion("750xx0000000004AAA", id -> st(JobStateEnum.IN_PROGRESS)))
                .isInstanceOf(BulkQueryReader.BulkQueryException.class)
                .hasMessage("Bulk API 2.0 query job 750xx0000000004AAA did not complete within PT0.1S (last state IN_PROGRESS); it was aborted");
        assertThat(sf.counter("bulk.query.state")).as("abort requested").isEqualTo(1);
    }

    @Test
    void theErrorMessageIsReadFromTheJobsOwnJson() {
        org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob q = new org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob();
        q.setOperation(org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum.QUERY);
        q.setQuery("SELECT Id FROM Account");
        String id = sf.template.requestBody("salesforce:bulk2CreateQueryJob", q,
                org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob.class).getId();
        BulkQueryReader reader = new BulkQueryReader(sf.template);
        sf.org.counters().reset();
        assertThat(reader.errorMessage(id)).as("a complete job has none").isNull();
        assertThat(sf.counter("bulk.query.info")).as("read through the raw operation").isEqualTo(1);
        assertThat(reader.errorMessage("750xx0000000009AAA")).as("best effort").isNull();
    }

    @Test
    void readsBulkCsvNullsQuotesLineBreaksAndIsDeleted() throws IOException {
        String csv = "\uFEFF\"Id\",\"IsDeleted\",\"SystemModstamp\",\"Name\",\"Description\",\"AnnualRevenue\"\r\n"
                + "\"001A\",\"false\",\"2024-04-09T20:26:27.000Z\",\"Acme, \"\"Inc.\"\"\",\"line 1\r\nline 2\",\"12.5\"\r\n"
                + "001B,true,2024-04-09T20:26:28.000Z,Gone,,\n"
                + "\"001C\",\"false\",\"2024-04-09T20:26:29.000Z\",\"\",\"\",\"\"\n\n";
        List<Map<String, Object>> records = BulkQueryReader.records(new StringReader(csv));
        assertThat(records).hasSize(3);
        assertThat(records.get(0)).containsExactly(Map.entry("Id", "001A"), Map.entry("IsDeleted", false),
                Map.entry("SystemModstamp", "2024-04-09T20:26:27.000Z"), Map.entry("Name", "Acme, \"Inc.\""),
                Map.entry("Description", "line 1\r\nline 2"), Map.entry("AnnualRevenue", "12.5"));
        Map<String, Object> gone = new HashMap<>(records.get(1));
        assertThat(gone.get("IsDeleted")).isEqualTo(true);
        assertThat(gone).containsEntry("Description", null).containsEntry("AnnualRevenue", null);
        assertThat(records.get(2)).containsEntry("Name", null).containsEntry("Description", null);
        assertThat(BulkQueryReader.records(new StringReader(""))).isEmpty();
        assertThat(BulkQueryReader.records(new StringReader("\"Id\",\"Name\"\n"))).isEmpty();
        assertThatThrownBy(() -> BulkQueryReader.records(new StringReader("\"Id\",\"Name\"\n\"001A\"\n")))
                .hasMessageContaining("1 values, the header has 2");
        assertThatThrownBy(() -> BulkQueryReader.records(new StringReader("\"Id\"\n\"001A\n")))
                .hasMessageContaining("never closed");
    }
}
