package sync.flow;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.internal.SalesforceSession;
import org.jboss.logging.Logger;
import routes.SalesforceToPostgresRoute;
import sync.apply.PostgresApplier;
import sync.apply.ReplayPositions;
import sync.config.SyncConfig;
import sync.mapping.MappingException;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;
import sync.mapping.SalesforceField;
import sync.salesforce.CamelReplayPositions;
import sync.salesforce.Describes;
import sync.salesforce.ReplayProbe;
import sync.salesforce.SalesforceReader;
import sync.staging.StagingArea;
import sync.debezium.DebeziumSource;
import sync.debezium.OffsetCommitBarrier;
import sync.outbound.ApiBudget;
import sync.outbound.CaptureBarrier;
import sync.outbound.EchoGuard;
import sync.outbound.OutboundFlow;
import sync.outbound.OutboundMapping;
import sync.outbound.OutboundMetrics;
import sync.outbound.OutboundPruner;
import sync.outbound.OutboundQueue;
import sync.outbound.OutboundWriter;
import sync.salesforce.BulkIngestWriter;
import sync.salesforce.SObjectWriter;
import routes.PostgresToSalesforceRoute;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Starts the Salesforce -> PostgreSQL streams once the Camel context runs: validates every
 * mapping against Salesforce's describe and the database (all problems reported at once),
 * decides where each subscription starts (the stored position if Salesforce still has it; else
 * the tip plus a resync of the object; the tip plus an initial load for a new mapping) and adds
 * one route per mapping.
 */
@ApplicationScoped
public class SyncEngine {
    private static final Logger LOG = Logger.getLogger(SyncEngine.class);
    /** Resyncs after an expired position start this far before the last applied change. */
    private static final java.time.Duration RESYNC_MARGIN = java.time.Duration.ofMinutes(5);

    /** Lifecycle of the engine, for health and status. */
    public enum State { STARTING, RUNNING, FAILED }

    @Inject
    SyncConfig config;
    @Inject
    DataSource dataSource;
    @Inject
    CamelContext camel;
    @Inject
    ProducerTemplate template;
    @Inject
    StagingArea staging;
    @Inject
    MeterRegistry registry;

    private volatile State state = State.STARTING;
    private volatile String error;
    private volatile String orgId;
    private final Map<String, SalesforceStream> streams = new LinkedHashMap<>();
    private PostgresApplier applier;
    private ReplayPositions positions;
    private ResyncJobs resyncs;
    private volatile InboundFileLoader inboundFiles;
    private SalesforceSession session;
    private final ReplayProbe probe = new ReplayProbe();
    private final Map<String, OutboundMapping> outbound = new LinkedHashMap<>();
    private volatile EchoGuard guard;
    private volatile OutboundFlow outboundFlow;
    private CaptureBarrier barrier;

    /** Called once by the start route; throws on a transient failure so the route retries. */
    public synchronized void start() throws Exception {
        if (state == State.RUNNING || state == State.FAILED) {
            return;
        }
        Map<String, SyncConfig.Mapping> all = new TreeMap<>(config.mappings());
        if (all.isEmpty()) {
            LOG.info("no mapping configured; nothing to sync");
            state = State.RUNNING;
            return;
        }
        applier = new PostgresApplier(dataSource, config.salesforce().clientName());
        positions = new ReplayPositions(dataSource);
        SalesforceReader reader = new SalesforceReader(template);
        resyncs = new ResyncJobs(dataSource, applier, reader);
        Map<String, ResolvedMapping> resolved = resolveAll(all);
        if (resolved == null) {
            return;
        }
        session = camel.getComponent("salesforce", SalesforceComponent.class).getSession();
        if (session.getAccessToken() == null) {
            session.login(null);
        }
        orgId = session.getOrgId();
        Map<String, SyncConfig.ConflictPolicy> twoWay = new TreeMap<>();
        outbound.forEach((name, m) -> {
            if (m.mapping().direction() == SyncConfig.Direction.BOTH) {
                twoWay.put(name, m.conflicts());
            }
        });
        guard = new EchoGuard(dataSource, config.salesforce().clientName(), config.outbound().echoWindow(), twoWay);
        resyncs.guard(guard);
        DeadLetterWriter deadLetters = new DeadLetterWriter(dataSource);
        SyncMetrics metrics = new SyncMetrics(registry);
        if (!outbound.isEmpty()) {
            // Before any change event is applied: an echo of an interrupted create is only
            // recognised once that create is reconciled, and a record re-read from Salesforce
            // must not overwrite a PostgreSQL change that is not captured yet.
            prepareOutbound(reader);
            camel.addRoutes(new PostgresToSalesforceRoute(outboundFlow,
                    new OutboundPruner(dataSource, outbound, config.outbound().echoWindow())));
            awaitCapture();
        }
        for (ResolvedMapping m : resolved.values()) {
            if (m.direction() == SyncConfig.Direction.TO_SALESFORCE) {
                continue;
            }
            String channel = channel(m.object());
            SalesforceStream stream = new SalesforceStream(m, orgId, channel, staging, applier, positions, reader,
                    deadLetters, resyncs, metrics, guard);
            streams.put(m.name(), stream);
            resyncs.register(m);
            addRoute(stream);
        }
        inboundFiles = new InboundFileLoader(staging, applier, deadLetters, metrics, config.apply().batchSize());
        resyncs.resumeAll();
        state = State.RUNNING;
        LOG.infof("streaming %d mapping(s) from Salesforce org %s: %s; %d mapping(s) to Salesforce: %s", streams.size(),
                orgId, streams.keySet(), outbound.size(), outbound.keySet());
    }

    /** PostgreSQL -> Salesforce: publication, interrupted writes reconciled, the flow the routes will run. */
    private void prepareOutbound(SalesforceReader reader) throws Exception {
        SyncConfig.Outbound out = config.outbound();
        List<String> tables = outbound.values().stream().map(m -> m.mapping().qualifiedTable()).toList();
        int major;
        try (Connection c = dataSource.getConnection()) {
            sync.debezium.Publication.ensure(c, out.publicationName(), tables, out.managePublication());
            major = sync.debezium.Publication.serverMajor(c);
        }
        for (OutboundMapping m : outbound.values()) {
            if (!m.replicaIdentityFull()) {
                LOG.warnf("mapping '%s': table %s logs no full before images (REPLICA IDENTITY DEFAULT): every update sends"
                        + " all mapped columns, and a delete of a row Sluice never wrote cannot name its Salesforce Id. Run"
                        + " ALTER TABLE %s REPLICA IDENTITY FULL to send only changed columns.", m.name(),
                        m.mapping().qualifiedTable(), m.mapping().qualifiedTable());
            }
        }
        DebeziumSource source = new DebeziumSource(out.slotName(), datasource("jdbc.url"), datasource("username"),
                datasource("password"), out.slotName(), out.publicationName(), tables, out.heartbeatMillis(), major);
        SObjectWriter sf = new SObjectWriter(template, config.salesforce().apiVersion(), config.salesforce().clientName());
        ApiBudget budget = new ApiBudget(out.dailyApiBudget().map(java.util.OptionalLong::of).orElse(java.util.OptionalLong.empty()),
                out.maxApiUsage(), java.time.Clock.systemUTC(), dataSource, config.salesforce().clientName());
        OutboundMetrics metrics = new OutboundMetrics(registry);
        BulkIngestWriter bulk = new BulkIngestWriter(template, config.salesforce().apiVersion(), config.salesforce().clientName());
        OutboundWriter writer = new OutboundWriter(dataSource, sf, bulk, applier, out, budget, outbound, metrics, guard, reader);
        writer.recover();
        OutboundQueue queue = new OutboundQueue(dataSource);
        OffsetCommitBarrier.register(source.name(), queue::flush);
        outboundFlow = new OutboundFlow(dataSource, outbound, queue, writer, source, config.salesforce().clientName(), metrics);
        LOG.infof("capturing %s from slot %s (publication %s, PostgreSQL %d: %s)", tables, out.slotName(),
                out.publicationName(), major, source.serverFiltersOrigins() ? "origins filtered by the server"
                        : "own writes dropped by their origin");
    }

    /**
     * Waits until the capture has received every PostgreSQL change committed so far and queued
     * them: from then on the echo and conflict step sees every PostgreSQL change older than what
     * Salesforce sends, and checks so again before every batch.
     */
    private void awaitCapture() {
        barrier = new CaptureBarrier(outboundFlow);
        try {
            barrier.await(java.time.Duration.ofSeconds(60));
        } catch (sync.apply.TransientApplyException e) {
            LOG.warnf("starting the Salesforce streams anyway: %s", e.getMessage());
        }
        guard.barrier(barrier);
    }

    /** A {@code quarkus.datasource.*} setting (the database Debezium reads), or null when unset. */
    private static String datasource(String key) {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.datasource." + key, String.class).orElse(null);
    }

    /** Stops capturing PostgreSQL changes and writing to Salesforce (queued changes stay queued). */
    public synchronized void stopOutbound() throws Exception {
        for (String id : List.of(PostgresToSalesforceRoute.CAPTURE_ROUTE, PostgresToSalesforceRoute.WRITER_ROUTE)) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id);
            }
        }
        if (outboundFlow != null) {
            outboundFlow.queue().flush();
        }
    }

    /** Starts capturing and writing again, from the stored Debezium offset. */
    public synchronized void startOutbound() throws Exception {
        for (String id : List.of(PostgresToSalesforceRoute.CAPTURE_ROUTE, PostgresToSalesforceRoute.WRITER_ROUTE)) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().startRoute(id);
            }
        }
    }

    public OutboundFlow outbound() {
        return outboundFlow;
    }

    /** The PostgreSQL -> Salesforce part of the status: slot, capture running, queue per mapping. */
    public Map<String, Object> outboundStatus(Connection c) throws java.sql.SQLException {
        return sync.outbound.OutboundStatus.of(c, config.outbound().slotName(), capturing(), outbound);
    }

    /** Whether the PostgreSQL capture route is running (not stopped by stopOutbound, not absent). */
    public boolean capturing() {
        return camel.getRoute(PostgresToSalesforceRoute.CAPTURE_ROUTE) != null
                && camel.getRouteController().getRouteStatus(PostgresToSalesforceRoute.CAPTURE_ROUTE).isStarted();
    }

    public EchoGuard guard() {
        return guard;
    }

    private void addRoute(SalesforceStream stream) throws Exception {
        long start = startPosition(stream.mapping(), stream.channel());
        CamelReplayPositions.set(stream.channel(), start);
        camel.addRoutes(new SalesforceToPostgresRoute(stream, start, config.apply().batchSize(),
                config.apply().batchMaxWaitMillis()));
    }

    /**
     * Stops every stream, as a shutdown would: the batches in hand are applied, the
     * subscriptions end and the Streaming API client is closed (which logs the session out). (camel-salesforce does not
     * reliably resubscribe a channel on a client that unsubscribed it, so a restart always
     * begins with a new client.)
     */
    public synchronized void stopStreams() throws Exception {
        for (String mapping : streams.keySet()) {
            String routeId = SalesforceToPostgresRoute.routeId(mapping);
            if (camel.getRoute(routeId) != null) {
                camel.getRouteController().stopRoute(routeId);
                camel.removeRoute(routeId);
            }
        }
        org.apache.camel.support.service.ServiceHelper.stopService(
                camel.getComponent("salesforce", SalesforceComponent.class).getSubscriptionHelper());
    }

    /** Starts every stopped stream again from its stored position, exactly as at startup. */
    public synchronized void startStreams() throws Exception {
        if (outboundFlow != null && camel.getRouteController().getRouteStatus(PostgresToSalesforceRoute.CAPTURE_ROUTE).isStarted()) {
            awaitCapture();
        }
        session = camel.getComponent("salesforce", SalesforceComponent.class).getSession();
        if (session.getAccessToken() == null) {
            session.login(null);
        }
        for (SalesforceStream stream : streams.values()) {
            if (camel.getRoute(SalesforceToPostgresRoute.routeId(stream.mapping().name())) == null) {
                addRoute(stream);
            }
        }
    }

    /** Every mapping resolved, or null after reporting every problem (the engine is then FAILED). */
    private Map<String, ResolvedMapping> resolveAll(Map<String, SyncConfig.Mapping> mappings) throws SQLException {
        Map<String, ResolvedMapping> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (Map.Entry<String, SyncConfig.Mapping> e : mappings.entrySet()) {
                Map<String, SalesforceField> describe = Describes.fields(template, e.getValue().object());
                try {
                    if (e.getValue().autoCreate() && !tableExists(c, e.getValue().table())) {
                        try (Statement st = c.createStatement()) {
                            st.execute(MappingResolver.autoCreateDdl(e.getKey(), e.getValue(), describe));
                        }
                        LOG.infof("mapping '%s': created table %s from the describe of %s", e.getKey(),
                                e.getValue().table(), e.getValue().object());
                    }
                    ResolvedMapping r = MappingResolver.resolve(e.getKey(), e.getValue(), describe, c);
                    out.put(e.getKey(), r);
                    if (r.direction() != SyncConfig.Direction.TO_POSTGRES) {
                        outbound.put(e.getKey(), OutboundMapping.resolve(r, e.getValue(), describe, c));
                    }
                } catch (MappingException ex) {
                    problems.add(ex.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            fail("Sluice cannot start: " + String.join("\n", problems));
            return null;
        }
        return out;
    }

    private long startPosition(ResolvedMapping m, String channel) throws Exception {
        OptionalLong stored = positions.get(orgId, channel);
        if (stored.isEmpty()) {
            if (hasFinishedInitialLoad(m.name())) {
                resyncs.queueObjectResync(m, "replay-expired", lastApplied(m.name()));
            } else {
                resyncs.queueObjectResync(m, "initial-load", null);
            }
            return -1;
        }
        ReplayProbe.Verdict verdict;
        try {
            verdict = probe.check(session.getInstanceUrl(), session.getAccessToken(), config.salesforce().apiVersion(),
                    channel, stored.getAsLong());
        } catch (IOException e) {
            // Most often an expired access token: log in again once and ask again.
            session.login(session.getAccessToken());
            verdict = probe.check(session.getInstanceUrl(), session.getAccessToken(), config.salesforce().apiVersion(),
                    channel, stored.getAsLong());
        }
        if (verdict == ReplayProbe.Verdict.VALID) {
            LOG.infof("mapping '%s': resuming %s after replayId %d", m.name(), channel, stored.getAsLong());
            return stored.getAsLong();
        }
        Instant watermark = lastApplied(m.name());
        LOG.warnf("mapping '%s': Salesforce no longer retains replayId %d on %s; resyncing %s from %s and streaming "
                + "from now on", m.name(), stored.getAsLong(), channel, m.object(), watermark);
        resyncs.queueObjectResync(m, "replay-expired", watermark);
        return -1;
    }

    private boolean hasFinishedInitialLoad(String mapping) throws IOException {
        return queryOne("SELECT 1 FROM sync.resync_job WHERE mapping = ? AND reason = 'initial-load' AND status = 'done'",
                mapping) != null;
    }

    private Instant lastApplied(String mapping) throws IOException {
        Object t = queryOne("SELECT max(salesforce_commit_at) FROM sync.record_state WHERE mapping = ?", mapping);
        return t instanceof java.sql.Timestamp ts ? ts.toInstant().minus(RESYNC_MARGIN) : null;
    }

    private Object queryOne(String sql, String param) throws IOException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the sync schema: " + e.getMessage(), e);
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        sync.sql.Identifiers.TableName t = sync.sql.Identifiers.TableName.parse(table);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void fail(String message) {
        error = message;
        state = State.FAILED;
        LOG.error(message);
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            Quarkus.asyncExit(1);
        }
    }

    /** The CDC channel of an object: Account -> /data/AccountChangeEvent, Loan__c -> /data/Loan__ChangeEvent. */
    public static String channel(String object) {
        String event = object.endsWith("__c") ? object.substring(0, object.length() - 1) + "ChangeEvent" : object + "ChangeEvent";
        return "/data/" + event;
    }

    public State state() {
        return state;
    }

    public String error() {
        return error;
    }

    public String orgId() {
        return orgId;
    }

    public synchronized Map<String, SalesforceStream> streams() {
        return Map.copyOf(streams);
    }

    public ReplayPositions positions() {
        return positions;
    }

    public ResyncJobs resyncs() {
        return resyncs;
    }

    public PostgresApplier applier() {
        return applier;
    }

    /**
     * Applies the files waiting under {@code inbound/<mapping>/} of every streaming mapping (see
     * {@link InboundFileLoader}); nothing before the streams run. Called by the inbound-files route.
     */
    public List<InboundFileLoader.Outcome> loadInboundFiles() {
        InboundFileLoader loader = inboundFiles;
        if (loader == null || state != State.RUNNING) {
            return List.of();
        }
        return loader.loadAll(streams().values().stream().map(SalesforceStream::mapping).toList());
    }

    @PreDestroy
    void stop() {
        if (outboundFlow != null) {
            OffsetCommitBarrier.unregister(outboundFlow.source().name());
        }
        if (barrier != null) {
            barrier.close();
        }
        if (resyncs != null) {
            resyncs.close();
        }
    }
}
