package emulator.camel;

import org.apache.camel.component.salesforce.api.dto.AbstractQueryRecordsBase;

/** Query result page of {@link Account}s, for camel's typed query / streamQueryResult. */
public class QueryRecordsAccount extends AbstractQueryRecordsBase<Account> {
}
