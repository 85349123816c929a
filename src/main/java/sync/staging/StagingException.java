package sync.staging;

/**
 * The staging area refused a request in a way a retry will not fix (for example S3 answered
 * 403 because the credentials are wrong). Permanent, unlike {@link StagingUnavailableException}.
 */
public class StagingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
