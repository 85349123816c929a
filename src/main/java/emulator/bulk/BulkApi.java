package emulator.bulk;

import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Request;
import emulator.http.Response;
import emulator.store.WriteContext;

/** Bulk API 2.0 ({@code /jobs/ingest}, {@code /jobs/query}). */
public final class BulkApi {
    private final SalesforceEmulator org;

    public BulkApi(SalesforceEmulator org) {
        this.org = org;
    }

    /** {@code seg} = path segments after the version, starting with "jobs". */
    public Response handle(Request request, String method, String[] seg, String version, WriteContext ctx) {
        throw ApiException.notFound();
    }

    /** Counter/fault key, e.g. bulk.ingest.create, bulk.query.results (must start with "bulk."). */
    public static String endpointKey(String method, String[] seg) {
        return "bulk." + (seg.length > 1 ? seg[1] : "jobs");
    }
}
