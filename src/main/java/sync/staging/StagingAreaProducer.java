package sync.staging;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.apache.camel.CamelContext;
import org.jboss.logging.Logger;
import sync.config.SyncConfig;

import java.nio.file.Path;

/**
 * Builds the {@link StagingArea} that {@code sync.staging.uri} names: {@code file:<dir>} gives a
 * {@link FileStagingArea}, {@code aws2-s3:<bucket>} an {@link S3StagingArea} configured from
 * {@code sync.staging.s3.*}. Created at startup so a wrong URI stops the application.
 */
@ApplicationScoped
public class StagingAreaProducer {

    private static final Logger LOG = Logger.getLogger(StagingAreaProducer.class);

    static final String ACCEPTED = "use file:<directory> (e.g. file:target/staging) or aws2-s3:<bucket>"
            + " (e.g. aws2-s3:sluice-staging, with sync.staging.s3.* for endpoint, region and credentials)";

    @Produces
    @ApplicationScoped
    @Startup
    StagingArea stagingArea(SyncConfig config, CamelContext camel) {
        StagingArea area = create(config.staging(), camel);
        LOG.infof("Staging area: %s", area.describe());
        return area;
    }

    void close(@Disposes StagingArea area) {
        area.close();
    }

    /**
     * The staging area for {@code staging}.
     *
     * @throws IllegalArgumentException naming {@code sync.staging.uri} and the accepted forms when
     *                                  the URI is neither form
     */
    public static StagingArea create(SyncConfig.Staging staging, CamelContext camel) {
        String uri = staging.uri().strip();
        if (uri.indexOf('?') >= 0) {
            throw new IllegalArgumentException("sync.staging.uri '" + uri + "' has endpoint options, which the staging"
                    + " area does not read: " + ACCEPTED);
        }
        if (uri.startsWith("file:")) {
            String dir = stripSlashes(uri.substring("file:".length()));
            if (dir.isEmpty()) {
                throw new IllegalArgumentException("sync.staging.uri 'file:' names no directory: " + ACCEPTED);
            }
            return new FileStagingArea(Path.of(dir));
        }
        if (uri.startsWith("aws2-s3:")) {
            String bucket = stripSlashes(uri.substring("aws2-s3:".length()));
            if (bucket.isEmpty()) {
                bucket = staging.s3().bucket().orElseThrow(() -> new IllegalArgumentException(
                        "sync.staging.uri '" + uri + "' names no bucket: " + ACCEPTED));
            }
            return S3StagingArea.create(camel, bucket, staging.s3());
        }
        throw new IllegalArgumentException("sync.staging.uri '" + uri + "' is neither a file: nor an aws2-s3: URI: " + ACCEPTED);
    }

    /** Camel's {@code file://target/x} means the relative {@code target/x}; {@code file:///x} the absolute {@code /x}. */
    private static String stripSlashes(String rest) {
        return rest.startsWith("//") ? rest.substring(2) : rest;
    }
}
