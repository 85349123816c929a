package emulator.http;

import java.util.List;

/**
 * A failure answered with Salesforce's REST error envelope:
 * {@code [{"message":"...","errorCode":"...","fields":[...]}]} and the given HTTP status.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String errorCode;
    private final List<String> fields;

    public ApiException(int status, String errorCode, String message, List<String> fields) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
        this.fields = fields;
    }

    public ApiException(int status, String errorCode, String message) {
        this(status, errorCode, message, null);
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }

    /** Field names the error is about, or null when Salesforce omits the key. */
    public List<String> fields() {
        return fields;
    }

    public static ApiException notFound() {
        return new ApiException(404, "NOT_FOUND", "The requested resource does not exist");
    }

    public static ApiException badRequest(String errorCode, String message) {
        return new ApiException(400, errorCode, message);
    }
}
