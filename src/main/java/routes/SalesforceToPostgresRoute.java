package routes;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import sync.apply.TransientApplyException;
import sync.flow.SalesforceStream;
import sync.staging.StagingUnavailableException;

/**
 * Salesforce -> PostgreSQL for one mapping: subscribe to the object's change events, batch them,
 * stage each batch durably, apply it. Transient failures (staging or database unavailable) retry
 * with backoff and hold the position; permanent ones are dead-lettered inside the apply step.
 */
public class SalesforceToPostgresRoute extends RouteBuilder {
    private final SalesforceStream stream;
    private final long startReplayId;
    private final int batchSize;
    private final long batchMaxWaitMillis;

    public SalesforceToPostgresRoute(SalesforceStream stream, long startReplayId, int batchSize, long batchMaxWaitMillis) {
        this.stream = stream;
        this.startReplayId = startReplayId;
        this.batchSize = batchSize;
        this.batchMaxWaitMillis = batchMaxWaitMillis;
    }

    public static String routeId(String mapping) {
        return "salesforce-to-postgres-" + mapping;
    }

    @Override
    public void configure() {
        String name = stream.mapping().name();
        stream.startingAfter(startReplayId);
        onException(StagingUnavailableException.class, TransientApplyException.class)
                .maximumRedeliveries(-1)
                .redeliveryDelay(200).useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(30_000)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN);

        // An event that cannot even be read is dead-lettered as received; the stream moves on.
        onException(IllegalArgumentException.class, java.io.UncheckedIOException.class)
                .handled(true)
                .bean(stream, "rejectMessage").id("dead-letter-unreadable-" + name);

        from("salesforce:subscribe:" + stream.channel().substring(1) + "?replayId=" + startReplayId + "&rawPayload=true")
                .routeId(routeId(name))
                .convertBodyTo(String.class)
                .bean(stream, "intake").id("intake-" + name)
                .filter().method(stream, "firstDelivery").id("drop-redelivered-" + name)
                .aggregate(constant(name), new GroupedBodyAggregationStrategy())
                    // a batch closes when full or, at the latest, batchMaxWaitMillis after it opened
                    .completionSize(batchSize).completionInterval(Math.max(1, batchMaxWaitMillis)).forceCompletionOnStop()
                    .bean(stream, "stageAndApply").id("stage-and-apply-" + name)
                .end();
    }
}
