package routes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import sync.apply.TransientApplyException;
import sync.flow.SyncEngine;
import sync.staging.StagingUnavailableException;

/**
 * Inbound files -> PostgreSQL: every {@code sync.inbound.poll-millis}, apply the files other tools
 * dropped under {@code inbound/<mapping>/} of the staging area (directory or S3 bucket alike) and
 * move each out of the way. Transient failures (staging or database unavailable) retry with
 * backoff and leave the file in place; unreadable records are dead-lettered inside the load step.
 */
@ApplicationScoped
public class InboundFilesRoute extends RouteBuilder {
    @Inject
    SyncEngine engine;

    @Override
    public void configure() {
        onException(StagingUnavailableException.class, TransientApplyException.class)
                .maximumRedeliveries(-1)
                .redeliveryDelay(200).useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(30_000)
                .retryAttemptedLogLevel(LoggingLevel.WARN);

        from("timer:inbound-files?period={{sync.inbound.poll-millis}}")
                .routeId("inbound-files")
                .autoStartup("{{sync.inbound.enabled}}")
                .bean(engine, "loadInboundFiles").id("load-inbound-files");
    }
}
