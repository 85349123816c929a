package emulator.soql;

import static emulator.soql.SoqlParseTest.located;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import emulator.soql.SoqlMatchTest.AccountFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SoqlValidateTest {

    static final String NO_SUCH_COLUMN_TAIL = "' on entity 'Account'. If you are attempting to use a custom field, be "
            + "sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
            + "for the appropriate names.";

    static SoqlException validationError(String soql) {
        SoqlQuery q = Soql.parse(soql);
        SoqlException e = catchThrowableOfType(SoqlException.class,
                () -> q.validate("Account", AccountFields.INSTANCE));
        assertThat(e).as("expected a validation error for %s", soql).isNotNull();
        return e;
    }

    @Test
    void returnsCanonicalSelectNames() {
        SoqlQuery q = Soql.parse("SELECT id, NAME, createddate FROM account WHERE isdeleted = false ORDER BY name");
        assertThat(q.validate("Account", AccountFields.INSTANCE)).containsExactly("Id", "Name", "CreatedDate");
        assertThat(q.fields()).containsExactly("id", "NAME", "createddate");
    }

    @Test
    void countReturnsNoFields() {
        assertThat(Soql.parse("SELECT COUNT() FROM Account WHERE Name != null").validate("Account",
                AccountFields.INSTANCE)).isEmpty();
    }

    @Test
    void exactNoSuchColumnMessageFromTheBrief() {
        SoqlException e = validationError("SELECT Id, Foo__c FROM Account");
        assertThat(e.errorCode()).isEqualTo("INVALID_FIELD");
        assertThat(e.getMessage()).isEqualTo("\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\n"
                + "No such column 'Foo__c' on entity 'Account'. If you are attempting to use a custom field, be sure "
                + "to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
                + "for the appropriate names.");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            SELECT Id, Foo__c FROM Account                                 | 12 | Foo__c
            SELECT Bogus FROM Account                                      |  8 | Bogus
            SELECT Id FROM Account WHERE Nope = 'x'                        | 30 | Nope
            SELECT Id FROM Account WHERE Name = 'x' AND (x__c = 1 OR Type = 'y') | 46 | x__c
            SELECT Id FROM Account WHERE NOT Missing IN ('a')             | 34 | Missing
            SELECT Id FROM Account ORDER BY Name, Absent DESC              | 39 | Absent
            SELECT COUNT() FROM Account WHERE zz = 1                       | 35 | zz
            """)
    void unknownColumns(String soql, int column, String field) {
        SoqlException e = validationError(soql);
        assertThat(e.errorCode()).isEqualTo("INVALID_FIELD");
        assertThat(e.getMessage()).isEqualTo(located(soql, column, "No such column '" + field + NO_SUCH_COLUMN_TAIL));
    }

    @Test
    void firstBadFieldWinsInSelectThenWhereThenOrderOrder() {
        SoqlException e = validationError("SELECT Id, A1 FROM Account WHERE A2 = 1 ORDER BY A3");
        assertThat(e.getMessage()).contains("No such column 'A1'");
        e = validationError("SELECT Id FROM Account WHERE A2 = 1 ORDER BY A3");
        assertThat(e.getMessage()).contains("No such column 'A2'");
    }

    @Test
    void entityNameInMessageIsTheOneGiven() {
        SoqlQuery q = Soql.parse("SELECT Foo FROM account");
        SoqlException e = catchThrowableOfType(SoqlException.class, () -> q.validate("Account", AccountFields.INSTANCE));
        assertThat(e.getMessage()).contains("on entity 'Account'");
    }

    @Test
    void unknownObjectIsInvalidType() {
        String soql = "SELECT Id FROM Nope__c";
        SoqlQuery q = Soql.parse(soql);
        SoqlException e = catchThrowableOfType(SoqlException.class, () -> q.validate("Nope__c", null));
        assertThat(e.errorCode()).isEqualTo("INVALID_TYPE");
        String expected = located(soql, 16, "sObject type 'Nope__c' is not supported. If you are attempting to use a "
                + "custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the "
                + "describe call for the appropriate names.");
        assertThat(e.getMessage()).isEqualTo(expected);
        assertThat(q.unknownObjectError().getMessage()).isEqualTo(expected);
        assertThat(q.unknownObjectError().errorCode()).isEqualTo("INVALID_TYPE");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            IsDeleted = 'true'                        | IsDeleted         | boolean  | not
            isdeleted = 1                             | IsDeleted         | boolean  | not
            IsDeleted IN (true, 'false')              | IsDeleted         | boolean  | not
            NumberOfEmployees = '5'                   | NumberOfEmployees | integer  | not
            NumberOfEmployees = true                  | NumberOfEmployees | integer  | not
            AnnualRevenue > '5'                       | AnnualRevenue     | double   | not
            Score__c < 2024-01-01                     | Score__c          | double   | not
            Pct__c = 'x'                              | Pct__c            | double   | not
            Big__c = 'x'                              | Big__c            | long     | not
            CreatedDate > '2024-01-01T00:00:00Z'      | CreatedDate       | dateTime | not
            CreatedDate > 2024-01-01                  | CreatedDate       | dateTime | not
            CreatedDate = 5                           | CreatedDate       | dateTime | not
            LastActivityDate = '2024-01-01'           | LastActivityDate  | date     | not
            LastActivityDate = 2024-01-01T00:00:00Z   | LastActivityDate  | date     | not
            Open_Time__c = '10:00:00Z'                | Open_Time__c      | time     | not
            Name = 5                                  | Name              | string   | ""
            Name = true                               | Name              | string   | ""
            Name = TODAY                              | Name              | string   | ""
            Name IN ('a', 2)                          | Name              | string   | ""
            Description = 2024-01-01                  | Description       | string   | ""
            Interests__c = 1                          | Interests__c      | string   | ""
            Id = 5                                    | Id                | id       | ""
            ParentId IN (TRUE)                        | ParentId          | id       | ""
            """)
    void literalTypeMismatch(String where, String field, String type, String not) {
        String soql = "SELECT Id FROM Account WHERE " + where;
        SoqlException e = validationError(soql);
        assertThat(e.errorCode()).isEqualTo("INVALID_FIELD");
        String should = not.isEmpty() ? "should be" : "should " + not + " be";
        assertThat(e.getMessage()).isEqualTo(located(soql, 30, "value of filter criterion for field '" + field
                + "' must be of type " + type + " and " + should + " enclosed in quotes"));
    }

    @Test
    void exactBooleanMessageFromTheBrief() {
        SoqlException e = validationError("SELECT Id FROM Account WHERE Name = 'x' AND IsDeleted = 'false'");
        assertThat(e.getMessage()).isEqualTo("\nSELECT Id FROM Account WHERE Name = 'x' AND IsDeleted = 'false'\n"
                + " ".repeat(44) + "^\nERROR at Row:1:Column:45\n"
                + "value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed "
                + "in quotes");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Id = '001D000000IRFm'", "Id = '001D000000IRFmaIA'", "Id IN ('001D000000IRFma', 'abc')",
        "ParentId = '001D000000IRFma!'", "OwnerId != 'nobody'",
    })
    void malformedIdLiterals(String where) {
        String soql = "SELECT Id FROM Account WHERE " + where;
        SoqlException e = validationError(soql);
        assertThat(e.errorCode()).isEqualTo("INVALID_QUERY_FILTER_OPERATOR");
        String bad = where.replaceAll("^.*'([^']*)'\\)?$", "$1");
        assertThat(e.getMessage()).isEqualTo(located(soql, 30, "invalid ID field: " + bad));
    }

    @Test
    void includesOnlyOnMultiPicklists() {
        String soql = "SELECT Id FROM Account WHERE Type INCLUDES ('a')";
        SoqlException e = validationError(soql);
        assertThat(e.errorCode()).isEqualTo("INVALID_QUERY_FILTER_OPERATOR");
        assertThat(e.getMessage()).isEqualTo(located(soql, 30,
                "includes or excludes operator only valid on multipicklist field"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "IsDeleted = true", "IsDeleted != FALSE", "IsDeleted = null", "NumberOfEmployees > -5",
        "NumberOfEmployees IN (1, 2.5)", "AnnualRevenue >= 10.25", "Pct__c = 5", "Big__c = 12345678901",
        "CreatedDate > 2024-01-01T00:00:00Z", "CreatedDate = TODAY", "CreatedDate < LAST_N_DAYS:3",
        "CreatedDate IN (2024-01-01T00:00:00Z, YESTERDAY)", "LastActivityDate = 2024-01-01",
        "LastActivityDate >= THIS_MONTH", "Open_Time__c = 10:00:00.000Z", "Name = 'x'", "Name LIKE 'x%'",
        "Name IN ('a', null)", "Type = 'Customer'", "Description != null", "Website = ''", "Phone LIKE '%555%'",
        "Email__c = 'a@b.c'", "Interests__c INCLUDES ('a;b', 'c')", "Interests__c EXCLUDES ('a')",
        "Interests__c = 'a;b'", "Id = '001D000000IRFma'", "Id = '001D000000IRFmaIAH'", "Id = ''", "Id = null",
        "ParentId IN ('001D000000IRFma', '001D000000IRFmaIAH')", "Id LIKE '001%'",
        "(Name = 'x' OR Name = 'y') AND NOT IsDeleted = true",
    })
    void validConditionsPass(String where) {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account WHERE " + where);
        assertThat(q.validate("Account", AccountFields.INSTANCE)).containsExactly("Id");
    }
}
