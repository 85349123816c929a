package sync.apply;

/**
 * A batch that could not be applied at all and was rolled back: nothing written, no position
 * stored, nothing dead-lettered. Per-record failures are never thrown; they are dead-lettered
 * and reported in {@link ApplyResult}.
 */
public class ApplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
