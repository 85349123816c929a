package routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresEndpoint;
import sync.outbound.OutboundFlow;
import sync.outbound.OutboundPruner;
import sync.outbound.OutboundUnavailableException;

/**
 * PostgreSQL -> Salesforce: Debezium reads the mapped tables' changes from the replication slot;
 * heartbeats and other tables are skipped, Sluice's own writes dropped (servers before 16 send
 * them), the rest queued in {@code sync.outbound_change}. A tick then writes what is due to
 * Salesforce in batches. A transient failure blocks the capture (Debezium waits, nothing is
 * acknowledged) and retries with backoff. Every minute, the queue's settled history older than
 * the echo window is pruned.
 */
public class PostgresToSalesforceRoute extends RouteBuilder {
    public static final String CAPTURE_ROUTE = "postgres-to-salesforce";
    public static final String WRITER_ROUTE = "salesforce-writer";
    public static final String PRUNER_ROUTE = "outbound-pruner";

    private final OutboundFlow flow;
    private final OutboundPruner pruner;

    public PostgresToSalesforceRoute(OutboundFlow flow, OutboundPruner pruner) {
        this.flow = flow;
        this.pruner = pruner;
    }

    @Override
    public void configure() {
        onException(OutboundUnavailableException.class)
                .maximumRedeliveries(-1)
                .redeliveryDelay(200).useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(30_000)
                .retryAttemptedLogLevel(LoggingLevel.WARN);

        DebeziumPostgresComponent component = getContext().getComponent("debezium-postgres", DebeziumPostgresComponent.class);
        DebeziumPostgresEndpoint source = new DebeziumPostgresEndpoint("debezium-postgres:" + flow.source().name(),
                component, flow.source().configuration());

        from(source).routeId(CAPTURE_ROUTE)
                .filter().method(flow, "isMapped").id("only-mapped-tables")
                .filter().method(flow, "notOwnWrite").id("drop-own-writes")
                .bean(flow, "capture").id("queue-for-salesforce");

        from("timer:" + WRITER_ROUTE + "?period=20&delay=0").routeId(WRITER_ROUTE)
                .bean(flow, "tick").id("write-to-salesforce");

        from("timer:" + PRUNER_ROUTE + "?period=60000&delay=60000").routeId(PRUNER_ROUTE)
                .bean(pruner, "prune").id("prune-sent-changes");
    }
}
