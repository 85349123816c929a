package routes;

import java.util.Map;
import java.util.UUID;

/** The mappings of {@link SalesforceToPostgresProfile}, staged in a local directory instead of S3. */
public class SalesforceToPostgresLocalStagingProfile extends SalesforceToPostgresProfile {
    /** A directory of its own per test run, so a test sees only what that run staged. */
    private static final String DIRECTORY = "target/test-staging-" + UUID.randomUUID();

    @Override
    protected Map<String, String> extra() {
        // Overrides of a profile outrank a test resource's settings (system properties, ordinal
        // 400, against 399), but S3Resource is left out anyway: nothing here needs S3.
        return Map.of("sync.staging.uri", "file:" + DIRECTORY);
    }
}
