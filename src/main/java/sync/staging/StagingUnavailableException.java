package sync.staging;

/**
 * The staging area could not be reached or did not answer (I/O error, S3 5xx, throttling, a
 * refused or timed-out connection). Transient: the caller retries with backoff and does not
 * advance its position; nothing is dead-lettered for it.
 */
public class StagingUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StagingUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
