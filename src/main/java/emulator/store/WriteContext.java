package emulator.store;

/**
 * Who writes and through which API: feeds CreatedById/LastModifiedById and the change event's
 * {@code commitUser} and {@code changeOrigin} ({@code com/salesforce/api/rest/61.0;client=sluice}).
 */
public record WriteContext(String userId, String api, String apiVersion, String client) {
    public String changeOrigin() {
        if (api == null) {
            return "";
        }
        String origin = "com/salesforce/api/" + api + "/" + apiVersion;
        return client == null || client.isBlank() ? origin : origin + ";client=" + client;
    }
}
