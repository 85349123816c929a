package sync.staging;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.endpoint.StaticEndpointBuilders;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.aws2.s3.AWS2S3Operations;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import sync.config.SyncConfig;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A staging area in an S3 (or S3-compatible) bucket, reached through camel-aws2-s3: every call is
 * an exchange sent to an {@code aws2-s3} endpoint (put, getObject, listObjects, deleteObject) that
 * uses one configured {@link S3Client}. The client carries endpoint, region, path style and
 * credentials, so no secret ever appears in an endpoint URI (and so in a log line). A put has
 * completed, and is durable, when S3 has answered it.
 *
 * <p>The endpoints are resolved on first use: starting one asks S3 whether the bucket exists, and
 * an unreachable S3 must surface as a retriable {@link StagingUnavailableException} on a call, not
 * as a failed application start.
 */
public final class S3StagingArea implements StagingArea {

    private static final int PAGE_SIZE = 1000;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final CamelContext camel;
    private final String bucket;
    private final S3Client client;
    private final String description;
    private final String clientBean;
    private final int pageSize;
    private final ProducerTemplate template;
    private volatile Endpoints endpoints;

    /**
     * @param client an S3 client this area takes over (it closes it on {@link #close()})
     * @param where  where the client points, for {@link #describe()}; must not contain secrets
     */
    public S3StagingArea(CamelContext camel, String bucket, S3Client client, String where) {
        this(camel, bucket, client, where, PAGE_SIZE);
    }

    /** @param pageSize keys asked for per listObjects call (S3's maximum is 1000) */
    S3StagingArea(CamelContext camel, String bucket, S3Client client, String where, int pageSize) {
        this.camel = Objects.requireNonNull(camel, "camel");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.client = Objects.requireNonNull(client, "client");
        this.description = "s3 bucket " + bucket + " at " + where;
        this.pageSize = pageSize;
        // The component autowires a lone S3Client found in the registry as the default of every
        // aws2-s3 endpoint when it is created: create it before our client is bound, so that only
        // the endpoints below, which name the client, use it.
        camel.getComponent("aws2-s3");
        this.clientBean = "sluice-staging-s3-client-" + INSTANCES.incrementAndGet();
        camel.getRegistry().bind(clientBean, S3Client.class, client);
        this.template = camel.createProducerTemplate();
    }

    /** An area for {@code bucket} with a client built from {@code sync.staging.s3.*}. */
    public static S3StagingArea create(CamelContext camel, String bucket, SyncConfig.S3 settings) {
        String where = settings.endpoint().map(Object::toString).orElse("AWS") + " (region " + settings.region()
                + (settings.forcePathStyle() ? ", path-style" : "") + ")";
        return new S3StagingArea(camel, bucket, client(settings), where);
    }

    /** The S3 client for {@code sync.staging.s3.*}: static credentials if given, else the AWS default chain. */
    static S3Client client(SyncConfig.S3 s3) {
        AwsCredentialsProvider credentials = s3.accessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey().get(),
                        s3.secretKey().orElseThrow(() -> new IllegalStateException("sync.staging.s3.secret-key is not set"))))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .region(Region.of(s3.region()))
                .forcePathStyle(s3.forcePathStyle())
                .credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                // The SDK's own retries (3 attempts) absorb blips; routes retry anything longer.
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(60)));
        s3.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public void put(String key, byte[] content) {
        StagingPaths.checkKey(key);
        send("put", key, endpoints().put, m -> {
            m.setBody(content);
            m.setHeader(AWS2S3Constants.KEY, key);
            m.setHeader(AWS2S3Constants.CONTENT_LENGTH, (long) content.length);
            m.setHeader(AWS2S3Constants.CONTENT_TYPE, key.endsWith(StagingKeys.EXTENSION) ? "application/x-ndjson"
                    : "application/octet-stream");
        });
    }

    @Override
    public byte[] get(String key) {
        StagingPaths.checkKey(key);
        Exchange answer = send("get", key, endpoints().get, m -> m.setHeader(AWS2S3Constants.KEY, key));
        try (InputStream in = answer.getMessage().getMandatoryBody(InputStream.class)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StagingUnavailableException("cannot read staged object '" + key + "' from " + description + ": " + e, e);
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new StagingException("getObject of '" + key + "' returned no content", e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        StagingPaths.checkPrefix(prefix);
        List<String> keys = new ArrayList<>();
        String marker = null;
        while (true) {
            ListObjectsRequest request = ListObjectsRequest.builder().bucket(bucket).prefix(prefix).marker(marker)
                    .maxKeys(pageSize).build();
            Exchange answer = send("list", prefix, endpoints().list, m -> m.setBody(request));
            // Camel hands back the objects but not IsTruncated, and some S3-compatible services
            // cap a page below maxKeys: page on until a page comes back empty.
            List<?> page = answer.getMessage().getBody(List.class);
            if (page == null || page.isEmpty()) {
                break;
            }
            for (Object o : page) {
                marker = ((S3Object) o).key();
                if (!marker.endsWith("/")) { // "folder" markers some tools create are not objects
                    keys.add(marker);
                }
            }
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) {
        StagingPaths.checkKey(key);
        send("delete", key, endpoints().delete, m -> m.setHeader(AWS2S3Constants.KEY, key));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            template.stop();
        } finally {
            Endpoints e = endpoints;
            if (e != null) {
                for (Endpoint endpoint : List.of(e.put, e.get, e.list, e.delete)) {
                    try {
                        camel.removeEndpoint(endpoint);
                    } catch (Exception ignored) {
                        // the context may already be stopping
                    }
                }
            }
            camel.getRegistry().unbind(clientBean);
            client.close();
        }
    }

    private Exchange send(String action, String key, Endpoint endpoint, Consumer<org.apache.camel.Message> request) {
        Exchange answer = template.send(endpoint, exchange -> request.accept(exchange.getIn()));
        Exception failure = answer.getException();
        if (failure != null) {
            throw translate(action, key, failure);
        }
        return answer;
    }

    private Endpoints endpoints() {
        Endpoints e = endpoints;
        if (e == null) {
            synchronized (this) {
                e = endpoints;
                if (e == null) {
                    try {
                        e = new Endpoints(
                                endpoint(null, false),
                                endpoint(AWS2S3Operations.getObject, false),
                                endpoint(AWS2S3Operations.listObjects, true),
                                endpoint(AWS2S3Operations.deleteObject, false));
                    } catch (RuntimeException ex) {
                        throw translate("connecting to", null, ex);
                    }
                    endpoints = e;
                }
            }
        }
        return e;
    }

    /** An endpoint for {@code operation} (null: putObject, the producer's default) using our client. */
    private Endpoint endpoint(AWS2S3Operations operation, boolean pojoRequest) {
        var builder = StaticEndpointBuilders.aws2S3(bucket).pojoRequest(pojoRequest);
        var configured = operation == null ? builder : builder.operation(operation);
        return configured.advanced().amazonS3Client("#" + clientBean).resolve(camel);
    }

    /** Splits failures into retriable, permanent and not-found, in this one place. */
    private RuntimeException translate(String action, String key, Throwable failure) {
        String what = key == null ? action + " " + description : action + " '" + key + "' on " + description;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NoSuchKeyException && key != null && action.equals("get")) {
                return new StagedObjectNotFoundException(key);
            }
            if (t instanceof AwsServiceException e) {
                int status = e.statusCode();
                String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
                String detail = what + " failed: HTTP " + status + (code == null ? "" : " " + code);
                if (status == 404 && action.equals("get") && !"NoSuchBucket".equals(code)) {
                    return new StagedObjectNotFoundException(key);
                }
                if (status >= 500 || status == 429 || status == 408 || e.isThrottlingException()) {
                    return new StagingUnavailableException(detail, e);
                }
                return new StagingException(detail + (status == 404 ? " (does bucket " + bucket + " exist?)" : ""), e);
            }
            if (t instanceof SdkClientException || t instanceof IOException) {
                return new StagingUnavailableException(what + " failed: " + t.getMessage(), failure);
            }
        }
        return new StagingException(what + " failed: " + failure, failure);
    }

    private record Endpoints(Endpoint put, Endpoint get, Endpoint list, Endpoint delete) {
    }
}
