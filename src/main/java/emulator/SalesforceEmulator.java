package emulator;

import emulator.admin.AdminApi;
import emulator.admin.ApiCounters;
import emulator.admin.Faults;
import emulator.auth.Credentials;
import emulator.auth.OAuthApi;
import emulator.auth.Sessions;
import emulator.cdc.EventBus;
import emulator.cometd.BayeuxServer;
import emulator.http.ApiException;
import emulator.http.HttpHost;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.SalesforceIds;
import emulator.model.Schema;
import emulator.rest.RestApi;
import emulator.store.ChangeEvents;
import emulator.store.OrgStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * An emulated Salesforce org on a loopback HTTP port: OAuth token endpoint, REST API
 * ({@code /services/data/vNN.N/...}), Streaming API for Change Data Capture ({@code /cometd/NN.N})
 * and an admin API under {@code /emulator/...}. Runs in-process (tests, dev mode) or standalone
 * ({@link EmulatorMain}).
 */
public final class SalesforceEmulator implements AutoCloseable {
    /** The org's 18-char Id, carried in the identity URL of every token response. */
    public static final String ORG_ID = SalesforceIds.to18("00D8d000000Slce");

    private final EmulatorOptions options;
    private final Clock clock;
    private final Schema schema;
    private final ApiCounters counters = new ApiCounters();
    private final Faults faults = new Faults();
    private final Sessions sessions;
    private final EventBus bus;
    private final ChangeEvents changeEvents;
    private final OrgStore store;
    private final String userId;
    private volatile Credentials credentials;
    private final OAuthApi oauth;
    private final RestApi rest;
    private final BayeuxServer bayeux;
    private final AdminApi admin;
    private final HttpHost http;

    private SalesforceEmulator(EmulatorOptions options, Clock clock) throws IOException {
        this.options = options;
        this.clock = clock;
        this.schema = options.schema();
        this.credentials = options.credentials();
        this.sessions = new Sessions(clock, ORG_ID.substring(0, 15), options.tokenTtl());
        this.bus = new EventBus(clock, options.eventRetention(), 1);
        this.changeEvents = new ChangeEvents(ChangeEvents.DEFAULT_OVERFLOW_THRESHOLD);
        this.store = new OrgStore(schema, clock, bus, changeEvents);
        this.userId = store.ids().next("005");
        this.oauth = new OAuthApi(this);
        this.rest = new RestApi(this);
        this.bayeux = new BayeuxServer(bus, sessions, counters, faults, clock);
        this.bayeux.setHoldTimeout(options.cometdHold());
        this.admin = new AdminApi(this);
        this.http = new HttpHost(options.host(), options.port(), this::dispatch);
    }

    public static SalesforceEmulator start(EmulatorOptions options) {
        return start(options, Clock.systemUTC());
    }

    public static SalesforceEmulator start(EmulatorOptions options, Clock clock) {
        try {
            return new SalesforceEmulator(options, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Salesforce emulator on " + options.host() + ":" + options.port(), e);
        }
    }

    /** Routes one request to the API that owns its path. */
    public Response dispatch(Request request) {
        String path = request.path();
        try {
            if (path.startsWith("/services/oauth2/")) {
                return oauth.handle(request);
            }
            if (path.startsWith("/services/data")) {
                return rest.handle(request);
            }
            if (path.startsWith("/cometd/")) {
                String rest = path.substring("/cometd/".length());
                int slash = rest.indexOf('/');
                return bayeux.handle(request, slash < 0 ? rest : rest.substring(0, slash));
            }
            if (path.startsWith("/emulator")) {
                return admin.handle(request);
            }
            if (path.startsWith("/id/")) {
                return oauth.identity(request);
            }
            throw ApiException.notFound();
        } catch (ApiException e) {
            return HttpHost.Errors.rest(e);
        }
    }

    /** Base URL of this org: the login URL and the instance URL. */
    public String baseUrl() {
        return "http://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host()) + ":" + http.port();
    }

    public int port() {
        return http.port();
    }

    public EmulatorOptions options() {
        return options;
    }

    public Clock clock() {
        return clock;
    }

    public Schema schema() {
        return schema;
    }

    public Credentials credentials() {
        return credentials;
    }

    public void setCredentials(Credentials credentials) {
        this.credentials = credentials;
    }

    /** The integration user's Id (owner, creator and modifier of API writes). */
    public String userId() {
        return userId;
    }

    public ApiCounters counters() {
        return counters;
    }

    public Faults faults() {
        return faults;
    }

    public Sessions sessions() {
        return sessions;
    }

    public EventBus bus() {
        return bus;
    }

    public ChangeEvents changeEvents() {
        return changeEvents;
    }

    public OrgStore store() {
        return store;
    }

    public BayeuxServer bayeux() {
        return bayeux;
    }

    @Override
    public void close() {
        bayeux.close();
        http.close();
    }
}
