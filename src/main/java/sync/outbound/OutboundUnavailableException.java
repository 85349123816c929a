package sync.outbound;

/** The database (or Salesforce) cannot take outbound work right now: retried, never dead-lettered. */
public class OutboundUnavailableException extends RuntimeException {
    public OutboundUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
