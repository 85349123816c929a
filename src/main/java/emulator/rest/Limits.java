package emulator.rest;

import emulator.SalesforceEmulator;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /limits}: limit name -> {Max, Remaining}; DailyApiRequests follows the request counter. */
final class Limits {
    private Limits() {
    }

    static Map<String, Object> body(SalesforceEmulator org) {
        Map<String, Object> out = new LinkedHashMap<>();
        long max = org.options().dailyApiRequests();
        put(out, "DailyApiRequests", max, Math.max(0, max - org.counters().apiRequests()));
        put(out, "DailyBulkApiBatches", 15_000, 15_000);
        put(out, "DailyBulkV2QueryFileStorageMB", 976_562, 976_562);
        put(out, "DailyBulkV2QueryJobs", 10_000, 10_000);
        put(out, "DailyDeliveredPlatformEvents", 50_000, 50_000);
        put(out, "DailyDurableStreamingApiEvents", 1_000_000, 1_000_000);
        put(out, "DataStorageMB", 1024, 1024);
        put(out, "DurableStreamingApiConcurrentClients", 2000, 2000 - org.bayeux().clientCount());
        put(out, "FileStorageMB", 1024, 1024);
        put(out, "HourlyPublishedPlatformEvents", 250_000, 250_000);
        return out;
    }

    private static void put(Map<String, Object> out, String name, long max, long remaining) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Max", max);
        v.put("Remaining", remaining);
        out.put(name, v);
    }
}
