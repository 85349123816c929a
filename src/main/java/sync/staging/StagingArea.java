package sync.staging;

import java.util.List;

/**
 * Where raw change batches (and files dropped by other tools) are kept: a local directory or an
 * S3 bucket, chosen by {@code sync.staging.uri} (see {@link StagingAreaProducer}). Keys are
 * '/'-separated relative paths such as the ones {@link StagingKeys} builds.
 *
 * <p>Every method throws {@link StagingUnavailableException} for a transient failure (the caller
 * retries), {@link StagingException} for a permanent refusal and {@link IllegalArgumentException}
 * for a key that is not a valid relative path.
 */
public interface StagingArea extends AutoCloseable {

    /**
     * Stores {@code content} under {@code key}, replacing any object already there. When this
     * returns the object is durable, and a reader never sees a partial object under {@code key}.
     */
    void put(String key, byte[] content);

    /**
     * The object stored under {@code key}.
     *
     * @throws StagedObjectNotFoundException when there is none
     */
    byte[] get(String key);

    /**
     * Every key starting with {@code prefix} (a plain string prefix, "" for all), sorted
     * lexicographically: with {@link StagingKeys}' zero-padded names that is replay order.
     */
    List<String> list(String prefix);

    /** Removes the object under {@code key}; removing an absent key is not an error. */
    void delete(String key);

    /** A short description for logs, e.g. {@code s3 bucket sluice-staging}; never contains a secret. */
    String describe();

    /** Releases connections; the area is unusable afterwards. */
    @Override
    default void close() {
    }
}
