package routes;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.HashMap;
import java.util.Map;

/** Two mappings streaming Salesforce -> PostgreSQL, tables created from describe. */
public class SalesforceToPostgresProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>();
        c.put("sync.apply.batch-max-wait-millis", "20");
        c.put("sync.mappings.account.object", "Account");
        c.put("sync.mappings.account.table", "public.sf_account");
        c.put("sync.mappings.account.auto-create", "true");
        c.put("sync.mappings.account.direction", "to-postgres");
        c.put("sync.mappings.account.fields.Name", "name");
        c.put("sync.mappings.account.fields.Industry", "industry");
        c.put("sync.mappings.account.fields.AnnualRevenue", "annual_revenue");
        c.put("sync.mappings.account.fields.NumberOfEmployees", "employees");
        c.put("sync.mappings.account.fields.BillingStreet", "billing_street");
        c.put("sync.mappings.account.fields.BillingCity", "billing_city");
        c.put("sync.mappings.account.fields.Description", "description");
        c.put("sync.mappings.account.fields.LastModifiedDate", "last_modified");
        c.put("sync.mappings.invoice.object", "Invoice__c");
        c.put("sync.mappings.invoice.table", "public.sf_invoice");
        c.put("sync.mappings.invoice.auto-create", "true");
        c.put("sync.mappings.invoice.direction", "to-postgres");
        c.put("sync.mappings.invoice.deletes.in-postgres", "soft(is_deleted)");
        c.put("sync.mappings.invoice.fields.Name", "name");
        c.put("sync.mappings.invoice.fields.Account__c", "account_id");
        c.put("sync.mappings.invoice.fields.Amount__c", "amount");
        c.put("sync.mappings.invoice.fields.Discount__c", "discount");
        c.put("sync.mappings.invoice.fields.Line_Count__c", "line_count");
        c.put("sync.mappings.invoice.fields.Due_Date__c", "due_date");
        c.put("sync.mappings.invoice.fields.Issued_At__c", "issued_at");
        c.put("sync.mappings.invoice.fields.Reminder_Time__c", "reminder_time");
        c.put("sync.mappings.invoice.fields.Paid__c", "paid");
        c.put("sync.mappings.invoice.fields.Status__c", "status");
        c.put("sync.mappings.invoice.fields.Tags__c", "tags");
        c.put("sync.mappings.invoice.fields.Notes__c", "notes");
        c.put("sync.mappings.invoice.fields.Customer_Email__c", "customer_email");
        c.putAll(extra());
        return c;
    }

    /** Further overrides of a variant (e.g. the staging area). */
    protected Map<String, String> extra() {
        return Map.of();
    }
}
