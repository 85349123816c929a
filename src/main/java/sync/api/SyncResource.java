package sync.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import sync.apply.ApplyResult;
import sync.apply.DeadLetters;
import sync.apply.TransientApplyException;
import sync.flow.SalesforceStream;
import sync.flow.SyncEngine;
import sync.outbound.OutboundDeadLetters;
import sync.outbound.OutboundFlow;
import sync.outbound.OutboundUnavailableException;
import sync.staging.NdJson;
import sync.staging.StagedEvent;
import sync.staging.StagingArea;
import sync.staging.StagingKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operations endpoints: status of every stream (position, resync jobs with progress, open dead
 * letters), dead-letter retry and ignore, re-applying a range of the staged changelog, and a
 * manual resync.
 */
@Path("/sync")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {
    @Inject
    SyncEngine engine;
    @Inject
    StagingArea staging;
    @Inject
    javax.sql.DataSource dataSource;

    @GET
    @Path("/status")
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", engine.state().name());
        out.put("error", engine.error());
        out.put("orgId", engine.orgId());
        List<Object> mappings = new ArrayList<>();
        engine.streams().forEach((name, stream) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mapping", name);
            m.put("object", stream.mapping().object());
            m.put("table", stream.mapping().qualifiedTable());
            m.put("channel", stream.channel());
            m.put("replayId", engine.positions().get(engine.orgId(), stream.channel()).stream().boxed().findFirst().orElse(null));
            m.put("openDeadLetters", deadLetters().open(name).size());
            m.put("resyncJobs", engine.resyncs().jobs(name));
            mappings.add(m);
        });
        out.put("mappings", mappings);
        if (engine.outbound() != null) {
            try (java.sql.Connection c = dataSource.getConnection()) {
                out.put("toSalesforce", engine.outboundStatus(c));
            } catch (java.sql.SQLException e) {
                out.put("toSalesforce", Map.of("error", "cannot read the outbound queue: " + e.getMessage()));
            }
        }
        return out;
    }

    @GET
    @Path("/dead-letters")
    public List<DeadLetters.Entry> deadLetters(@QueryParam("mapping") String mapping) {
        return deadLetters().open(mapping(mapping));
    }

    /**
     * Retries a dead letter after its cause is fixed: a to-postgres letter applies its change again
     * now; a to-salesforce letter queues the row's current state for the writer (resolved once
     * written, attempts + 1 and the new error if Salesforce refuses it again).
     */
    @POST
    @Path("/dead-letters/{id}/retry")
    public Map<String, Object> retry(@PathParam("id") long id) {
        DeadLetters.Entry entry = deadLetters().find(id).orElseThrow(() -> notFound("no dead letter " + id));
        try {
            if (entry.direction().equals("to-salesforce")) {
                OutboundDeadLetters.Retry r = outboundDeadLetters().retry(id);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", id);
                out.put("direction", entry.direction());
                out.put("status", r.status());
                out.put("queued", r.queued().orElse(null));
                r.note().ifPresent(n -> out.put("note", n));
                out.put("errors", r.error().stream().toList());
                return out;
            }
            ApplyResult r = deadLetters().retry(stream(entry.mapping()).mapping(), id);
            return Map.of("id", id, "applied", r.applied(), "deadLettered", r.deadLettered(),
                    "errors", r.deadLetters().stream().map(ApplyResult.DeadLetter::error).toList());
        } catch (RuntimeException e) {
            throw refused(e);
        }
    }

    @POST
    @Path("/dead-letters/{id}/ignore")
    public Map<String, Object> ignore(@PathParam("id") long id) {
        DeadLetters.Entry entry = deadLetters().find(id).orElseThrow(() -> notFound("no dead letter " + id));
        try {
            if (entry.direction().equals("to-salesforce")) {
                outboundDeadLetters().ignore(id);
            } else if (!deadLetters().markIgnored(id)) {
                throw new IllegalStateException("dead letter " + id + " is " + deadLetters().find(id)
                        .map(e -> e.status().name().toLowerCase(java.util.Locale.ROOT)).orElse("gone") + " already");
            }
        } catch (RuntimeException e) {
            throw refused(e);
        }
        return Map.of("id", id, "status", "ignored");
    }

    /** Re-applies the staged change batches of a mapping whose replay range overlaps [from, to]. */
    @POST
    @Path("/replay")
    public Map<String, Object> replay(@QueryParam("mapping") String mapping,
                                      @QueryParam("from") @DefaultValue("0") long from,
                                      @QueryParam("to") @DefaultValue("9223372036854775807") long to) {
        SalesforceStream stream = stream(mapping);
        int batches = 0;
        int applied = 0;
        int skipped = 0;
        for (String key : staging.list(StagingKeys.changesPrefix(stream.mapping().object()))) {
            var batch = StagingKeys.parse(key);
            if (batch.isEmpty() || !batch.get().overlaps(from, to)) {
                continue;
            }
            List<StagedEvent> events = new ArrayList<>();
            for (StagedEvent e : NdJson.decode(key, staging.get(key))) {
                if (e.replayId() >= from && e.replayId() <= to && e.mapping().equals(stream.mapping().name())) {
                    events.add(e);
                }
            }
            if (!events.isEmpty()) {
                ApplyResult r = stream.apply(events, key);
                batches++;
                applied += r.applied();
                skipped += r.skipped();
            }
        }
        return Map.of("mapping", stream.mapping().name(), "batches", batches, "applied", applied, "skipped", skipped);
    }

    @POST
    @Path("/resync/{mapping}")
    public Response resync(@PathParam("mapping") String mapping) {
        engine.resyncs().queueObjectResync(stream(mapping).mapping(), "manual", null);
        return Response.accepted(Map.of("mapping", mapping, "queued", true)).build();
    }

    private DeadLetters deadLetters() {
        return new DeadLetters(dataSource, engine.applier());
    }

    private OutboundDeadLetters outboundDeadLetters() {
        OutboundFlow flow = engine.outbound();
        return new OutboundDeadLetters(dataSource, flow == null ? Map.of() : flow.writer().mappings());
    }

    /** A configured mapping's name, either direction. */
    private String mapping(String mapping) {
        if (mapping == null || mapping.isBlank()) {
            throw error(400, "query parameter 'mapping' is required");
        }
        OutboundFlow flow = engine.outbound();
        if (!engine.streams().containsKey(mapping) && (flow == null || !flow.writer().mappings().containsKey(mapping))) {
            throw notFound("no mapping '" + mapping + "' (known: " + engine.streams().keySet()
                    + (flow == null ? "" : ", to Salesforce: " + flow.writer().mappings().keySet()) + ")");
        }
        return mapping;
    }

    /**
     * A refused dead-letter operation as a JSON error: 404 for no such letter, 409 for one whose
     * state does not allow it (closed already, being retried), 400 for one that cannot be retried
     * as it is, 503 when the database is unavailable; anything else is a server error.
     */
    private static RuntimeException refused(RuntimeException e) {
        if (e instanceof WebApplicationException) {
            return e;
        }
        int status = e instanceof java.util.NoSuchElementException ? 404
                : e instanceof IllegalStateException ? 409
                : e instanceof IllegalArgumentException ? 400
                : e instanceof OutboundUnavailableException || e instanceof TransientApplyException ? 503 : 0;
        return status == 0 ? e : error(status, e.getMessage());
    }

    private SalesforceStream stream(String mapping) {
        if (mapping == null || mapping.isBlank()) {
            throw error(400, "query parameter 'mapping' is required");
        }
        SalesforceStream s = engine.streams().get(mapping);
        if (s == null) {
            throw notFound("no streaming mapping '" + mapping + "' (known: " + engine.streams().keySet() + ")");
        }
        return s;
    }

    private static WebApplicationException notFound(String message) {
        return error(404, message);
    }

    private static WebApplicationException error(int status, String message) {
        return new WebApplicationException(Response.status(status).entity(Map.of("error", message))
                .type(MediaType.APPLICATION_JSON).build());
    }
}
