package emulator.bulk;

import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Jobs;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** camel-salesforce's Bulk API 2.0 client against the emulator, through a plain Camel context. */
class BulkCamelClientTest {
    static SalesforceEmulator org;
    static CamelContext camel;
    static ProducerTemplate template;

    @BeforeAll
    static void start() throws Exception {
        org = SalesforceEmulator.start(EmulatorOptions.defaults());
        var c = org.credentials();
        SalesforceComponent sf = new SalesforceComponent();
        sf.setLoginUrl(org.baseUrl());
        sf.setClientId(c.clientId());
        sf.setClientSecret(c.clientSecret());
        sf.setUserName(c.username());
        sf.setPassword(c.passwordWithToken());
        sf.setAuthenticationType(AuthenticationType.USERNAME_PASSWORD);
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion("61.0");
        sf.setConfig(config);
        camel = new DefaultCamelContext();
        camel.addComponent("salesforce", sf);
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterAll
    static void stop() {
        if (camel != null) {
            camel.stop();
        }
        org.close();
    }

    static String read(Object body) throws IOException {
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return String.valueOf(body);
    }

    @Test
    void ingestAndQueryThroughCamel() throws Exception {
        Job job = new Job();
        job.setObject("Account");
        job.setOperation(OperationEnum.INSERT);
        job.setContentType(ContentTypeEnum.CSV);
        job.setLineEnding(LineEndingEnum.LF);
        Job created = template.requestBody("salesforce:bulk2CreateJob", job, Job.class);
        assertThat(created.getId()).startsWith("750");
        assertThat(created.getState()).isEqualTo(JobStateEnum.OPEN);
        assertThat(created.getContentUrl()).endsWith("/jobs/ingest/" + created.getId() + "/batches");

        String csv = "Name,NumberOfEmployees\nCamel One,1\nCamel Two,2\n,3\n";
        template.requestBodyAndHeader("salesforce:bulk2CreateBatch", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
                SalesforceEndpointConfig.JOB_ID, created.getId());
        Job closed = template.requestBodyAndHeader("salesforce:bulk2CloseJob", null, SalesforceEndpointConfig.JOB_ID,
                created.getId(), Job.class);
        assertThat(closed.getState()).isEqualTo(JobStateEnum.UPLOAD_COMPLETE);

        await().atMost(Duration.ofSeconds(30)).until(() -> template.requestBodyAndHeader("salesforce:bulk2GetJob", null,
                SalesforceEndpointConfig.JOB_ID, created.getId(), Job.class).getState() == JobStateEnum.JOB_COMPLETE);
        Job done = template.requestBodyAndHeader("salesforce:bulk2GetJob", null, SalesforceEndpointConfig.JOB_ID, created.getId(), Job.class);
        assertThat(done.getNumberRecordsProcessed()).isEqualTo(3L);
        assertThat(done.getNumberRecordsFailed()).isEqualTo(1L);
        assertThat(done.getCreatedDate()).isNotNull();

        String ok = read(template.requestBodyAndHeader("salesforce:bulk2GetSuccessfulResults", null,
                SalesforceEndpointConfig.JOB_ID, created.getId()));
        assertThat(ok).startsWith("\"sf__Id\",\"sf__Created\",Name,NumberOfEmployees\n").contains("\"Camel One\"", "\"Camel Two\"");
        String failed = read(template.requestBodyAndHeader("salesforce:bulk2GetFailedResults", null,
                SalesforceEndpointConfig.JOB_ID, created.getId()));
        assertThat(failed).contains("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --");

        Jobs all = template.requestBody("salesforce:bulk2GetAllJobs", null, Jobs.class);
        assertThat(all.getRecords()).extracting(Job::getId).contains(created.getId());

        QueryJob query = new QueryJob();
        query.setOperation(OperationEnum.QUERY);
        query.setQuery("SELECT Id, Name FROM Account ORDER BY Name");
        QueryJob q = template.requestBody("salesforce:bulk2CreateQueryJob", query, QueryJob.class);
        assertThat(q.getId()).startsWith("750");
        assertThat(q.getState()).isEqualTo(JobStateEnum.UPLOAD_COMPLETE);
        QueryJob info = template.requestBodyAndHeader("salesforce:bulk2GetQueryJob", null, SalesforceEndpointConfig.JOB_ID,
                q.getId(), QueryJob.class);
        assertThat(info.getState()).isEqualTo(JobStateEnum.JOB_COMPLETE);

        Exchange page = template.request("salesforce:bulk2GetQueryJobResults", e -> {
            e.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, q.getId());
            e.getIn().setHeader(SalesforceEndpointConfig.MAX_RECORDS, 1);
        });
        assertThat(page.getException()).isNull();
        String first = read(page.getMessage().getBody());
        assertThat(first).isEqualTo("\"Id\",\"Name\"\n\"" + idOf("Camel One") + "\",\"Camel One\"\n");
        Map<String, Object> headers = page.getMessage().getHeaders();
        String locator = String.valueOf(headers.get("Sforce-Locator"));
        assertThat(locator).isNotEqualTo("null");
        Exchange next = template.request("salesforce:bulk2GetQueryJobResults", e -> {
            e.getIn().setHeader(SalesforceEndpointConfig.JOB_ID, q.getId());
            e.getIn().setHeader(SalesforceEndpointConfig.LOCATOR, locator);
        });
        assertThat(read(next.getMessage().getBody())).contains("\"Camel Two\"").doesNotContain("Camel One");
        assertThat(String.valueOf(next.getMessage().getHeader("Sforce-Locator"))).isEqualTo("null");
    }

    static String idOf(String name) {
        List<Map<String, Object>> rows = org.store().all(org.schema().object("Account"), false);
        return (String) rows.stream().filter(r -> name.equals(r.get("Name"))).findFirst().orElseThrow().get("Id");
    }
}
