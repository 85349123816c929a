package routes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.builder.RouteBuilder;
import sync.flow.SyncEngine;

/**
 * Starts the sync streams once the Camel context runs. Reaching Salesforce or the database may
 * fail for a while at startup (a pod starting before its database): the start is retried with
 * backoff until it succeeds; invalid mappings stop it for good with one clear report.
 */
@ApplicationScoped
public class SyncStartRoute extends RouteBuilder {
    @Inject
    SyncEngine engine;

    @Override
    public void configure() {
        onException(Exception.class)
                .maximumRedeliveries(-1)
                .redeliveryDelay(1_000).useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(30_000)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);

        from("timer:sluice-start?repeatCount=1&delay=0")
                .routeId("sync-start")
                .bean(engine, "start").id("start-streams");
    }
}
