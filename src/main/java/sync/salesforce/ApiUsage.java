package sync.salesforce;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The org's daily API requests, {@code used} of {@code max}, as a {@code Sforce-Limit-Info} header reports them. */
public record ApiUsage(long used, long max) {
    private static final Pattern API_USAGE = Pattern.compile("(?:^|[;,\\s])api-usage=(\\d+)/(\\d+)");

    /**
     * Reads {@code api-usage=18/5000} from a header value such as
     * {@code api-usage=18/5000; per-app-api-usage=17/250(appName=x)}; empty when absent.
     */
    public static Optional<ApiUsage> parse(String sforceLimitInfo) {
        if (sforceLimitInfo == null) {
            return Optional.empty();
        }
        Matcher m = API_USAGE.matcher(sforceLimitInfo);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new ApiUsage(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }
}
