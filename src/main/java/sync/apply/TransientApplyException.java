package sync.apply;

/**
 * The batch was rolled back because of a failure that may pass (connection lost, lock timeout,
 * deadlock, serialization failure, server shutting down or out of resources): retry the whole
 * batch with backoff. Nothing was written or dead-lettered and the position did not move.
 */
public class TransientApplyException extends ApplyException {
    private static final long serialVersionUID = 1L;

    public TransientApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
