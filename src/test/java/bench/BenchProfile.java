package bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;
import sync.testing.S3Resource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's application: one mapping, Account -> a fresh table {@code public.bench_account}
 * (created from describe) with six mapped columns (text, picklist, currency -> numeric, int,
 * text, datetime -> timestamptz), staged in a local directory ({@code target/bench-staging}) or,
 * with {@code -Dbench.staging=s3}, in s3proxy. Batching comes from {@code sync.apply.batch-size}
 * and {@code sync.apply.batch-max-wait-millis} (the production defaults unless given), which
 * {@code -Dbench.batch-size} / {@code -Dbench.batch-max-wait-millis} also set.
 */
public class BenchProfile implements QuarkusTestProfile {
    static final String MAPPING = "bench";
    static final String TABLE = "public.bench_account";

    static boolean s3() {
        return "s3".equalsIgnoreCase(System.getProperty("bench.staging", "file"));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>();
        String m = "sync.mappings." + MAPPING + ".";
        c.put(m + "object", "Account");
        c.put(m + "table", TABLE);
        c.put(m + "auto-create", "true");
        c.put(m + "direction", "to-postgres");
        accountFields(c, m);
        c.put(m + "fields.LastModifiedDate", "last_modified");
        if (!s3()) {
            c.put("sync.staging.uri", System.getProperty("bench.staging-uri", "file:target/bench-staging"));
        }
        batchSetting(c, "sync.apply.batch-size", "bench.batch-size");
        batchSetting(c, "sync.apply.batch-max-wait-millis", "bench.batch-max-wait-millis");
        // The benchmark prints its own summary; per-batch INFO lines would only add noise.
        c.put("quarkus.log.category.\"sync\".level", System.getProperty("bench.sync-log-level", "WARN"));
        return c;
    }

    /** Sets {@code key} from the system property {@code alias}, else {@code key}; leaves it unset when neither is given. */
    /** The Account fields both benchmarks map: text, picklist, currency, int, text. */
    static void accountFields(Map<String, String> c, String mapping) {
        c.put(mapping + "fields.Name", "name");
        c.put(mapping + "fields.Industry", "industry");
        c.put(mapping + "fields.AnnualRevenue", "annual_revenue");
        c.put(mapping + "fields.NumberOfEmployees", "employees");
        c.put(mapping + "fields.BillingCity", "billing_city");
    }

    static void batchSetting(Map<String, String> c, String key, String alias) {
        String v = System.getProperty(alias, System.getProperty(key));
        if (v != null) {
            c.put(key, v);
        }
    }

    @Override
    public List<TestResourceEntry> testResources() {
        List<TestResourceEntry> r = new ArrayList<>();
        r.add(new TestResourceEntry(PostgresResource.class));
        r.add(new TestResourceEntry(EmulatorResource.class));
        if (s3()) {
            r.add(new TestResourceEntry(S3Resource.class));
        }
        return r;
    }
}
