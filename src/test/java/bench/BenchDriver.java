package bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emulator.EmulatorHttp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import static emulator.EmulatorHttp.JSON;
import static emulator.EmulatorHttp.V;

/**
 * Writes Account changes into the emulator the way a Salesforce client does: over HTTP, with
 * sObject Collections calls of up to 200 records each (create: POST, partial update: PATCH,
 * delete: DELETE /composite/sobjects?ids=...), one emulator transaction (and one CDC
 * commitTimestamp) per call. A round of k changes is drawn ~20% creates, ~70% partial updates
 * (1-3 of the 5 writable mapped fields) of live records, ~10% deletes; within a round no record
 * is both updated and deleted.
 */
final class BenchDriver {
    static final int COLLECTION = 200;
    private static final String[] INDUSTRIES = {"Agriculture", "Banking", "Biotechnology", "Chemicals", "Communications",
            "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Finance",
            "Government", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Other"};
    private static final String[] CITIES = {"Lyon", "Paris", "Zürich", "São Paulo", "Kraków", "Berlin", "Osaka", "Austin",
            "Toronto", "Nairobi", "Malmö", "Reykjavík"};
    private static final String[] UPDATABLE = {"Name", "Industry", "AnnualRevenue", "NumberOfEmployees", "BillingCity"};

    private final EmulatorHttp sf;
    private final Random rnd;
    /** Ids of live records this driver created (swap-removed on delete). */
    private final List<String> live = new ArrayList<>();
    private long seq;
    long calls;
    long creates;
    long updates;
    long deletes;

    BenchDriver(EmulatorHttp sf, long seed) {
        this.sf = sf;
        this.rnd = new Random(seed);
    }

    int liveCount() {
        return live.size();
    }

    /** Creates {@code n} records, 200 per call. */
    void seed(int n) {
        for (int done = 0; done < n; ) {
            int k = Math.min(COLLECTION, n - done);
            create(k);
            done += k;
        }
    }

    /** One round of {@code k} mixed changes; returns how many were made. */
    int round(int k) {
        int c = 0;
        int u = 0;
        int d = 0;
        for (int i = 0; i < k; i++) {
            double x = rnd.nextDouble();
            if (x < 0.2) {
                c++;
            } else if (x < 0.9) {
                u++;
            } else {
                d++;
            }
        }
        // keep a pool of live records to update: never delete below 100 live records
        d = Math.max(0, Math.min(d, live.size() - 100));
        List<String> toDelete = new ArrayList<>(d);
        for (int i = 0; i < d; i++) {
            int j = rnd.nextInt(live.size());
            toDelete.add(live.get(j));
            live.set(j, live.get(live.size() - 1));
            live.remove(live.size() - 1);
        }
        u = Math.min(u, live.size());
        Set<Integer> picked = new HashSet<>();
        List<String> toUpdate = new ArrayList<>(u);
        while (toUpdate.size() < u) {
            int j = rnd.nextInt(live.size());
            if (picked.add(j)) {
                toUpdate.add(live.get(j));
            }
        }
        for (int done = 0; done < c; done += COLLECTION) {
            create(Math.min(COLLECTION, c - done));
        }
        for (int done = 0; done < u; done += COLLECTION) {
            update(toUpdate.subList(done, Math.min(u, done + COLLECTION)));
        }
        for (int done = 0; done < d; done += COLLECTION) {
            delete(toDelete.subList(done, Math.min(d, done + COLLECTION)));
        }
        return c + u + d;
    }

    /** What a paced or unpaced drive achieved. */
    record Drive(long changes, double seconds, long calls) {
        double rate() {
            return changes / seconds;
        }
    }

    /**
     * Offers {@code rate} changes/s (open loop: every {@code tickMillis} it sends what the
     * schedule owes, so a slow call is caught up by the next round) for {@code seconds};
     * {@code rate <= 0}: as fast as the emulator takes them, rounds of {@code maxRound}.
     */
    Drive drive(double rate, double seconds, long tickMillis, int maxRound) {
        long callsBefore = calls;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long sent = 0;
        long tick = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long owed = rate > 0 ? (long) (rate * (now - start) / 1e9) - sent : maxRound;
            while (owed > 0) {
                int k = (int) Math.min(owed, maxRound);
                sent += round(k);
                owed -= k;
            }
            if (rate > 0) {
                tick++;
                long next = start + tick * tickMillis * 1_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
        return new Drive(sent, (System.nanoTime() - start) / 1e9, calls - callsBefore);
    }

    private void create(int k) {
        ObjectNode body = JSON.createObjectNode().put("allOrNone", true);
        ArrayNode records = body.putArray("records");
        for (int i = 0; i < k; i++) {
            ObjectNode r = record();
            r.put("Name", "Bench " + (++seq));
            r.put("Industry", INDUSTRIES[rnd.nextInt(INDUSTRIES.length)]);
            r.put("AnnualRevenue", 1_000 + rnd.nextInt(1_000_000_000));
            r.put("NumberOfEmployees", 1 + rnd.nextInt(100_000));
            r.put("BillingCity", CITIES[rnd.nextInt(CITIES.length)]);
            records.add(r);
        }
        JsonNode results = call(sf.post(V + "/composite/sobjects", body.toString()), k, "create");
        for (JsonNode r : results) {
            live.add(r.get("id").asText());
        }
        creates += k;
    }

    private void update(List<String> ids) {
        ObjectNode body = JSON.createObjectNode().put("allOrNone", true);
        ArrayNode records = body.putArray("records");
        for (String id : ids) {
            ObjectNode r = record().put("id", id);
            int fields = 1 + rnd.nextInt(3);
            int first = rnd.nextInt(UPDATABLE.length);
            for (int f = 0; f < fields; f++) {
                switch (UPDATABLE[(first + f) % UPDATABLE.length]) {
                    case "Name" -> r.put("Name", "Bench " + (++seq));
                    case "Industry" -> r.put("Industry", INDUSTRIES[rnd.nextInt(INDUSTRIES.length)]);
                    case "AnnualRevenue" -> r.put("AnnualRevenue", 1_000 + rnd.nextInt(1_000_000_000));
                    case "NumberOfEmployees" -> r.put("NumberOfEmployees", 1 + rnd.nextInt(100_000));
                    default -> r.put("BillingCity", CITIES[rnd.nextInt(CITIES.length)]);
                }
            }
            records.add(r);
        }
        call(sf.patch(V + "/composite/sobjects", body.toString()), ids.size(), "update");
        updates += ids.size();
    }

    private void delete(List<String> ids) {
        call(sf.delete(V + "/composite/sobjects?allOrNone=true&ids=" + String.join(",", ids)), ids.size(), "delete");
        deletes += ids.size();
    }

    private static ObjectNode record() {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("attributes").put("type", "Account");
        return r;
    }

    private JsonNode call(EmulatorHttp.Reply reply, int expected, String what) {
        calls++;
        if (reply.status() != 200) {
            throw new IllegalStateException(what + " collection failed (" + reply.status() + "): " + reply.body());
        }
        JsonNode results = reply.json();
        if (results.size() != expected) {
            throw new IllegalStateException(what + " collection returned " + results.size() + " results for " + expected);
        }
        for (JsonNode r : results) {
            if (!r.path("success").asBoolean()) {
                throw new IllegalStateException(what + " collection failed: " + r);
            }
        }
        return results;
    }
}
