package routes;

import io.quarkus.test.junit.QuarkusTestProfile;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Account mapping syncing both ways, its table created from describe (identity key, sfid
 * unique, full before images), on the embedded PostgreSQL 18. The servers come from the profile,
 * not from annotations on the test class, so that a subclass of the test can run the same tests
 * on another server ({@link TwoWaySyncPostgres15Profile}); backlogs of
 * more than 100 changes go through Bulk API 2.0.
 */
public class TwoWaySyncProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>();
        c.put("sync.apply.batch-max-wait-millis", "20");
        c.put("sync.outbound.batch-max-wait-millis", "20");
        c.put("sync.outbound.heartbeat-millis", "1000");
        // Low enough for BulkBacklogTest's backlogs (a few hundred changes), far above any other test's.
        c.put("sync.outbound.bulk-threshold", "100");
        c.put("sync.staging.uri", "file:target/two-way-staging");
        c.put("sync.mappings.acct.object", "Account");
        c.put("sync.mappings.acct.table", "public.tw_account");
        c.put("sync.mappings.acct.auto-create", "true");
        c.put("sync.mappings.acct.direction", "both");
        c.put("sync.mappings.acct.fields.Name", "name");
        c.put("sync.mappings.acct.fields.Industry", "industry");
        c.put("sync.mappings.acct.fields.AnnualRevenue", "annual_revenue");
        c.put("sync.mappings.acct.fields.NumberOfEmployees", "employees");
        c.put("sync.mappings.acct.fields.BillingCity", "billing_city");
        c.put("sync.mappings.acct.fields.Phone", "phone");
        c.put("sync.mappings.acct.fields.Website", "website");
        // A second mapping, one way, whose PostgreSQL deletes leave the Salesforce record alone.
        c.put("sync.mappings.contact_keep.object", "Contact");
        c.put("sync.mappings.contact_keep.table", "public.tw_contact");
        c.put("sync.mappings.contact_keep.auto-create", "true");
        c.put("sync.mappings.contact_keep.direction", "to-salesforce");
        c.put("sync.mappings.contact_keep.deletes.in-salesforce", "ignore");
        c.put("sync.mappings.contact_keep.fields.LastName", "last_name");
        c.put("sync.mappings.contact_keep.fields.Email", "email");
        return c;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class), new TestResourceEntry(EmulatorResource.class));
    }
}
