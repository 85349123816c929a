package bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import sync.testing.EmulatorResource;
import sync.testing.PostgresResource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL -> Salesforce benchmark's application: one mapping, {@code direction:
 * to-salesforce}, a fresh table {@code public.bench_outbound} (created from describe: identity
 * key, unique {@code sfid}, REPLICA IDENTITY FULL) -> Account, five mapped columns (text,
 * picklist, currency -> numeric, int, text). Batching comes from {@code sync.outbound.batch-size}
 * and {@code sync.outbound.batch-max-wait-millis} (the production defaults unless given), which
 * {@code -Dbench.batch-size} / {@code -Dbench.batch-max-wait-millis} also set.
 */
public class OutboundBenchProfile implements QuarkusTestProfile {
    static final String MAPPING = "bench_out";
    static final String TABLE = "public.bench_outbound";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>();
        String m = "sync.mappings." + MAPPING + ".";
        c.put(m + "object", "Account");
        c.put(m + "table", TABLE);
        c.put(m + "auto-create", "true");
        c.put(m + "direction", "to-salesforce");
        BenchProfile.accountFields(c, m);
        // Nothing is staged in this direction; keep the directory out of the default one.
        c.put("sync.staging.uri", "file:target/bench-staging");
        c.put("sync.inbound.enabled", "false");
        BenchProfile.batchSetting(c, "sync.outbound.batch-size", "bench.batch-size");
        BenchProfile.batchSetting(c, "sync.outbound.batch-max-wait-millis", "bench.batch-max-wait-millis");
        c.put("quarkus.log.category.\"sync\".level", System.getProperty("bench.sync-log-level", "WARN"));
        return c;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class), new TestResourceEntry(EmulatorResource.class));
    }
}
