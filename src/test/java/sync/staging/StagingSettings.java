package sync.staging;

import sync.config.SyncConfig;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** {@code sync.staging.*} for tests, from a flat key map such as {@code S3Resource.settings()}. */
record StagingSettings(Map<String, String> keys) implements SyncConfig.Staging {

    @Override
    public String uri() {
        return keys.get("sync.staging.uri");
    }

    @Override
    public SyncConfig.S3 s3() {
        return new SyncConfig.S3() {
            @Override
            public Optional<URI> endpoint() {
                return value("endpoint").map(URI::create);
            }

            @Override
            public String region() {
                return value("region").orElse("us-east-1");
            }

            @Override
            public Optional<String> bucket() {
                return value("bucket");
            }

            @Override
            public Optional<String> accessKey() {
                return value("access-key");
            }

            @Override
            public Optional<String> secretKey() {
                return value("secret-key");
            }

            @Override
            public boolean forcePathStyle() {
                return value("force-path-style").map(Boolean::parseBoolean).orElse(false);
            }
        };
    }

    private Optional<String> value(String s3Key) {
        return Optional.ofNullable(keys.get("sync.staging.s3." + s3Key));
    }
}
