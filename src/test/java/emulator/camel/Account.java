package emulator.camel;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.camel.component.salesforce.api.dto.AbstractDescribedSObjectBase;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;

/**
 * A hand-written Account DTO, as camel-salesforce's code generator would produce it (trimmed to the
 * fields the tests use). Its simple name is the sObject name: camel's class map (component option
 * {@code packages=emulator.camel}) maps "Account" to it, and typed operations use it for JSON.
 */
public class Account extends AbstractDescribedSObjectBase {
    // Field names must equal the JSON property names: camel's FieldsToNullPropertyFilter reads the
    // backing field by property name and serializes the property (even when null) if it cannot.
    // CHECKSTYLE:OFF
    private String AccountNumber;
    private String Industry;
    private String Description;
    private Integer NumberOfEmployees;
    private String Pg_Id__c;
    // CHECKSTYLE:ON

    public Account() {
        getAttributes().setType("Account");
    }

    public static Account named(String name) {
        Account a = new Account();
        a.setName(name);
        return a;
    }

    @JsonProperty("AccountNumber")
    public String getAccountNumber() {
        return AccountNumber;
    }

    @JsonProperty("AccountNumber")
    public void setAccountNumber(String value) {
        this.AccountNumber = value;
    }

    @JsonProperty("Industry")
    public String getIndustry() {
        return Industry;
    }

    @JsonProperty("Industry")
    public void setIndustry(String value) {
        this.Industry = value;
    }

    @JsonProperty("Description")
    public String getDescription() {
        return Description;
    }

    @JsonProperty("Description")
    public void setDescription(String value) {
        this.Description = value;
    }

    @JsonProperty("NumberOfEmployees")
    public Integer getNumberOfEmployees() {
        return NumberOfEmployees;
    }

    @JsonProperty("NumberOfEmployees")
    public void setNumberOfEmployees(Integer value) {
        this.NumberOfEmployees = value;
    }

    @JsonProperty("Pg_Id__c")
    public String getPg_Id__c() {
        return Pg_Id__c;
    }

    @JsonProperty("Pg_Id__c")
    public void setPg_Id__c(String value) {
        this.Pg_Id__c = value;
    }

    @Override
    public SObjectDescription description() {
        SObjectDescription d = new SObjectDescription();
        d.setName("Account");
        return d;
    }
}
