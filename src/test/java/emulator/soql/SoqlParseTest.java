package emulator.soql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SoqlParseTest {

    /** Expected Salesforce-style message for a single-line query. */
    static String located(String query, int column, String detail) {
        return "\n" + query + "\n" + " ".repeat(column - 1) + "^\nERROR at Row:1:Column:" + column + "\n" + detail;
    }

    static SoqlException malformed(String soql) {
        SoqlException e = catchThrowableOfType(SoqlException.class, () -> Soql.parse(soql));
        assertThat(e).as("expected MALFORMED_QUERY for %s", soql).isNotNull();
        assertThat(e.errorCode()).isEqualTo("MALFORMED_QUERY");
        return e;
    }

    @Test
    void simpleSelect() {
        SoqlQuery q = Soql.parse("SELECT Id, Name, CreatedDate FROM Account");
        assertThat(q.objectName()).isEqualTo("Account");
        assertThat(q.fields()).containsExactly("Id", "Name", "CreatedDate");
        assertThat(q.orderBy()).isEmpty();
        assertThat(q.limit()).isEqualTo(OptionalInt.empty());
        assertThat(q.countOnly()).isFalse();
        assertThat(q.hasWhere()).isFalse();
        assertThat(q.text()).isEqualTo("SELECT Id, Name, CreatedDate FROM Account");
    }

    @Test
    void keywordsAndIdentifiersAreCaseInsensitiveAndKeptAsWritten() {
        SoqlQuery q = Soql.parse("select id,NAME from account where name like 'a%' order by NAME desc limit 5");
        assertThat(q.objectName()).isEqualTo("account");
        assertThat(q.fields()).containsExactly("id", "NAME");
        assertThat(q.orderBy()).containsExactly(new Ordering("NAME", false, false));
        assertThat(q.limit()).hasValue(5);
        assertThat(q.hasWhere()).isTrue();
    }

    @Test
    void whitespaceAndNewlines() {
        SoqlQuery q = Soql.parse("  SELECT\n\tId ,Name\r\nFROM   Contact\nWHERE Name='x'\nLIMIT 1  \n");
        assertThat(q.objectName()).isEqualTo("Contact");
        assertThat(q.fields()).containsExactly("Id", "Name");
        assertThat(q.limit()).hasValue(1);
    }

    @Test
    void fullQuery() {
        SoqlQuery q = Soql.parse("SELECT Id, Name FROM Account WHERE (Name LIKE 'A%' OR Name = null) AND "
                + "NumberOfEmployees > 10 ORDER BY Name ASC NULLS LAST, CreatedDate DESC NULLS FIRST, Id LIMIT 200");
        assertThat(q.orderBy()).containsExactly(
                new Ordering("Name", true, false),
                new Ordering("CreatedDate", false, true),
                new Ordering("Id", true, true));
        assertThat(q.limit()).hasValue(200);
        assertThat(q.referencedFields()).containsExactly("Id", "Name", "NumberOfEmployees", "CreatedDate");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ORDER BY Name                   | true  | true
            ORDER BY Name ASC               | true  | true
            ORDER BY Name DESC              | false | false
            ORDER BY Name NULLS FIRST       | true  | true
            ORDER BY Name NULLS LAST        | true  | false
            ORDER BY Name ASC NULLS LAST    | true  | false
            ORDER BY Name DESC NULLS FIRST  | false | true
            ORDER BY Name DESC NULLS LAST   | false | false
            order by Name desc nulls first  | false | true
            """)
    void orderByDefaults(String clause, boolean ascending, boolean nullsFirst) {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account " + clause);
        assertThat(q.orderBy()).containsExactly(new Ordering("Name", ascending, nullsFirst));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT COUNT() FROM Account", "select count ( ) from Account",
        "SELECT COUNT() FROM Account WHERE Name = 'x' LIMIT 3"})
    void countOnly(String soql) {
        SoqlQuery q = Soql.parse(soql);
        assertThat(q.countOnly()).isTrue();
        assertThat(q.fields()).isEmpty();
        assertThat(q.objectName()).isEqualTo("Account");
    }

    @Test
    void limitValues() {
        assertThat(Soql.parse("SELECT Id FROM Account LIMIT 0").limit()).hasValue(0);
        assertThat(Soql.parse("SELECT Id FROM Account LIMIT 2147483647").limit()).hasValue(Integer.MAX_VALUE);
    }

    @Test
    void objectNamedOrder() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Order ORDER BY Id");
        assertThat(q.objectName()).isEqualTo("Order");
        assertThat(q.orderBy()).containsExactly(new Ordering("Id", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Name = 'x'", "Name != 'x'", "Name <> 'x'", "Name < 'x'", "Name <= 'x'", "Name > 'x'", "Name >= 'x'",
        "Name LIKE 'x%'", "Name IN ('a')", "Name IN ('a', 'b', 'c')", "Name NOT IN ('a', 'b')",
        "Interests__c INCLUDES ('a;b', 'c')", "Interests__c EXCLUDES ('a')", "Amount = -1.5", "Amount = +3",
        "Amount = 0", "Amount=10", "Flag = TRUE", "Flag = false", "Name = NULL", "Name!=null",
        "d = 2024-04-09", "d > 2024-04-09T20:26:27Z", "d > 2024-04-09T20:26:27.000Z", "d > 2024-04-09T20:26:27+00:00",
        "d > 2024-04-09T20:26:27.000+0000", "d > 2024-04-09T20:26:27-08:00", "d = TODAY", "d = yesterday",
        "d = LAST_N_DAYS:30", "d > last_n_days : 3", "d < NEXT_N_WEEKS:2", "t = 10:00:00.000Z", "t = 10:00:00Z",
        "NOT Name = 'x'", "NOT (Name = 'x')", "(Name = 'x')", "(a = 1 AND b = 2) OR c = 3",
        "a = 1 AND (b = 2 OR c = 3)", "a = 1 AND b = 2 AND c = 3", "a = 1 OR b = 2 OR c = 3",
        "NOT a = 1 AND NOT b = 2", "Name = 'it\\'s'", "Name = ''",
        "Name = 'a\\nb\\tc\\rd\\be\\ff\\\"g\\\\h'",
    })
    void acceptedConditions(String where) {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account WHERE " + where);
        assertThat(q.hasWhere()).isTrue();
    }

    // ------------------------------------------------------------------ errors with exact messages

    @Test
    void exactMessageForUnexpectedToken() {
        String soql = "SELECT Id FROM Account GROUP BY Name";
        assertThat(malformed(soql).getMessage()).isEqualTo(
                "\nSELECT Id FROM Account GROUP BY Name\n                       ^\nERROR at Row:1:Column:24\n"
                        + "unexpected token: 'GROUP'");
    }

    @Test
    void exactMessageForEof() {
        String soql = "SELECT Id FROM Account WHERE";
        assertThat(malformed(soql).getMessage()).isEqualTo(
                "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\n"
                        + "unexpected token: <EOF>");
        // trailing blanks do not move the EOF caret
        assertThat(malformed("SELECT Id FROM   \n ").getMessage())
                .isEqualTo(located("SELECT Id FROM   ", 15, "unexpected token: <EOF>"));
    }

    @Test
    void emptyAndNullQueries() {
        assertThat(malformed("").getMessage()).isEqualTo("\n\n^\nERROR at Row:1:Column:1\nunexpected token: <EOF>");
        assertThat(malformed(null).getMessage()).isEqualTo(malformed("").getMessage());
        assertThat(malformed("   ").getMessage()).isEqualTo("\n   \n^\nERROR at Row:1:Column:1\nunexpected token: <EOF>");
    }

    @Test
    void mixingAndWithOrIsRejected() {
        String soql = "SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Type = 'c'";
        assertThat(malformed(soql).getMessage()).isEqualTo(located(soql, 56, "unexpected token: 'OR'"));
        String soql2 = "SELECT Id FROM Account WHERE Name = 'a' or Type = 'b' and Type = 'c'";
        assertThat(malformed(soql2).getMessage()).isEqualTo(located(soql2, 55, "unexpected token: 'and'"));
        String soql3 = "SELECT Id FROM Account WHERE (Name = 'a' AND Type = 'b' OR Type = 'c')";
        assertThat(malformed(soql3).getMessage()).isEqualTo(located(soql3, 57, "unexpected token: 'OR'"));
    }

    @Test
    void multiLineQueriesReportRowAndColumnOfTheLine() {
        String soql = "SELECT Id, Email, Name\nFROM Contact\nWHERE AccountId = '0014000000p6XlS' AND LastName LIKE"
                + " 'test' OR email LIKE 'test'";
        assertThat(malformed(soql).getMessage()).isEqualTo(
                "\nWHERE AccountId = '0014000000p6XlS' AND LastName LIKE 'test' OR email LIKE 'test'\n"
                        + " ".repeat(61) + "^\nERROR at Row:3:Column:62\nunexpected token: 'OR'");
        String crlf = "SELECT Id\r\nFROM Account\r\nLIMIT x\r\n";
        assertThat(malformed(crlf).getMessage()).isEqualTo(
                "\nLIMIT x\n      ^\nERROR at Row:3:Column:7\nunexpected token: 'x'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            SELECT Id FROM Account OFFSET 5                           | 24 | unexpected token: 'OFFSET'
            SELECT Id FROM Account LIMIT 5 OFFSET 5                   | 32 | unexpected token: 'OFFSET'
            SELECT Id FROM Account WITH SECURITY_ENFORCED             | 24 | unexpected token: 'WITH'
            SELECT Id FROM Account FOR UPDATE                         | 24 | unexpected token: 'FOR'
            SELECT Id FROM Account USING SCOPE mine                   | 24 | unexpected token: 'USING'
            SELECT Id FROM Account a                                  | 24 | unexpected token: 'a'
            SELECT Id FROM Account GROUP BY Id                        | 24 | unexpected token: 'GROUP'
            SELECT Id FROM Account WHERE Name = 'x' GROUP BY Name     | 41 | unexpected token: 'GROUP'
            SELECT Id, (SELECT Id FROM Contacts) FROM Account         | 12 | unexpected token: '('
            SELECT Account.Name FROM Contact                          |  8 | unexpected token: 'Account.Name'
            SELECT Id FROM Contact WHERE Account.Name = 'x'           | 30 | unexpected token: 'Account.Name'
            SELECT Id FROM Contact ORDER BY Account.Name              | 33 | unexpected token: 'Account.Name'
            SELECT COUNT(Id) FROM Account                             | 14 | unexpected token: 'Id'
            SELECT MAX(Amount) FROM Opportunity                       | 11 | unexpected token: '('
            SELECT Id, COUNT() FROM Account                           | 17 | unexpected token: '('
            SELECT COUNT(), Id FROM Account                           | 15 | unexpected token: ','
            SELECT FIELDS(ALL) FROM Account                           | 14 | unexpected token: '('
            SELECT TYPEOF What WHEN Account THEN Name END FROM Event  | 15 | unexpected token: 'What'
            SELECT Id Account                                         | 11 | unexpected token: 'Account'
            SELECT Id                                                 | 10 | unexpected token: <EOF>
            SELECT FROM Account                                       |  8 | unexpected token: 'FROM'
            SELECT Id, FROM Account                                   | 12 | unexpected token: 'FROM'
            SELECT Id,, Name FROM Account                             | 11 | unexpected token: ','
            Id FROM Account                                           |  1 | unexpected token: 'Id'
            UPDATE Account SET Name = 'x'                             |  1 | unexpected token: 'UPDATE'
            SELECT Id FROM                                            | 15 | unexpected token: <EOF>
            SELECT Id FROM Account.Contacts                           | 16 | unexpected token: 'Account.Contacts'
            SELECT Id FROM Account WHERE                              | 29 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE Name                         | 34 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE Name =                       | 36 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE = 'x'                        | 30 | unexpected token: '='
            SELECT Id FROM Account WHERE Name == 'x'                  | 36 | unexpected token: '='
            SELECT Id FROM Account WHERE Name = 'x' Name = 'y'        | 41 | unexpected token: 'Name'
            SELECT Id FROM Account WHERE Name = 'x' AND               | 44 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE (Name = 'x'                  | 41 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE Name = 'x')                  | 40 | unexpected token: ')'
            SELECT Id FROM Account WHERE ()                           | 31 | unexpected token: ')'
            SELECT Id FROM Account WHERE NOT NOT Name = 'x'           | 34 | unexpected token: 'NOT'
            SELECT Id FROM Account WHERE Name NOT LIKE 'x'            | 39 | unexpected token: 'LIKE'
            SELECT Id FROM Account WHERE Name IN ()                   | 39 | unexpected token: ')'
            SELECT Id FROM Account WHERE Name IN 'x'                  | 38 | unexpected token: ''x''
            SELECT Id FROM Account WHERE Name IN ('a' 'b')            | 43 | unexpected token: ''b''
            SELECT Id FROM Account WHERE Name LIKE 5                  | 40 | unexpected token: '5'
            SELECT Id FROM Account WHERE Name LIKE null               | 40 | unexpected token: 'null'
            SELECT Id FROM Account WHERE Tags__c INCLUDES (1)         | 48 | unexpected token: '1'
            SELECT Id FROM Account WHERE Tags__c INCLUDES 'a'         | 47 | unexpected token: ''a''
            SELECT Id FROM Account WHERE Name = SELECT                | 37 | unexpected token: 'SELECT'
            SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) | 37 | unexpected token: 'SELECT'
            SELECT Id FROM Account WHERE Name = 'x' ORDER Name        | 47 | unexpected token: 'Name'
            SELECT Id FROM Account ORDER BY                           | 32 | unexpected token: <EOF>
            SELECT Id FROM Account ORDER BY Name NULLS                | 43 | unexpected token: <EOF>
            SELECT Id FROM Account ORDER BY Name NULLS MIDDLE         | 44 | unexpected token: 'MIDDLE'
            SELECT Id FROM Account ORDER BY Name DESC ASC             | 43 | unexpected token: 'ASC'
            SELECT Id FROM Account ORDER BY Name LIMIT                | 43 | unexpected token: <EOF>
            SELECT Id FROM Account LIMIT -1                           | 30 | unexpected token: '-1'
            SELECT Id FROM Account LIMIT 1.5                          | 30 | unexpected token: '1.5'
            SELECT Id FROM Account LIMIT +1                           | 30 | unexpected token: '+1'
            SELECT Id FROM Account LIMIT 2147483648                   | 30 | unexpected token: '2147483648'
            SELECT Id FROM Account LIMIT ten                          | 30 | unexpected token: 'ten'
            SELECT Id FROM Account LIMIT 5 LIMIT 6                    | 32 | unexpected token: 'LIMIT'
            SELECT Id FROM Account LIMIT 5 ORDER BY Name              | 32 | unexpected token: 'ORDER'
            SELECT Id FROM Account ORDER BY Name WHERE Name = 'x'     | 38 | unexpected token: 'WHERE'
            SELECT Id FROM Account;                                   | 23 | line 1:22 no viable alternative at character ';'
            SELECT Id FROM Account WHERE Name = "x"                   | 37 | line 1:36 no viable alternative at character '"'
            SELECT Id FROM Account WHERE Name = 'x' # comment         | 41 | line 1:40 no viable alternative at character '#'
            SELECT * FROM Account                                     |  8 | line 1:7 no viable alternative at character '*'
            SELECT Id FROM Account WHERE Name ! 'x'                   | 35 | line 1:34 no viable alternative at character '!'
            SELECT Id FROM Account WHERE Amount = 1e5                 | 40 | unexpected token: 'e5'
            SELECT Id FROM Account WHERE Amount = .5                  | 39 | line 1:38 no viable alternative at character '.'
            SELECT Id FROM Account WHERE Name = :name                 | 37 | Bind variables only allowed in Apex code
            SELECT Id FROM Account WHERE Name = someVariable          | 37 | Bind variables only allowed in Apex code
            SELECT Id FROM Account WHERE CreatedDate > LastModifiedDate | 44 | Bind variables only allowed in Apex code
            SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS    | 55 | unexpected token: <EOF>
            SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:x  | 56 | unexpected token: 'x'
            SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:-1 | 56 | unexpected token: '-1'
            SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:1000001 | 56 | unexpected token: '1000001'
            SELECT Id FROM Account WHERE CreatedDate = 2024-13-01     | 44 | invalid date: 2024-13-01
            SELECT Id FROM Account WHERE CreatedDate = 2024-02-30T00:00:00Z | 44 | invalid datetime: 2024-02-30T00:00:00Z
            SELECT Id FROM Account WHERE CreatedDate = 2024-04-09T20:26:27 | 54 | unexpected token: 'T20'
            SELECT Id FROM Account WHERE T = 25:00:00Z                | 34 | invalid time: 25:00:00Z
            SELECT Id, Name, id FROM Account                          | 18 | duplicate field selected: id
            """)
    void malformedQueriesWithExactMessages(String soql, int column, String detail) {
        assertThat(malformed(soql).getMessage()).isEqualTo(located(soql, column, detail));
    }

    @Test
    void unterminatedString() {
        String soql = "SELECT Id FROM Account WHERE Name = 'abc";
        assertThat(malformed(soql).getMessage())
                .isEqualTo(located(soql, 41, "line 1:40 mismatched character '<EOF>' expecting '''"));
        String trailingBackslash = "SELECT Id FROM Account WHERE Name = 'abc\\";
        assertThat(malformed(trailingBackslash).getMessage())
                .isEqualTo(located(trailingBackslash, 42, "line 1:41 mismatched character '<EOF>' expecting '''"));
        String escapedQuote = "SELECT Id FROM Account WHERE Name = 'abc\\'";
        assertThat(malformed(escapedQuote).getMessage())
                .isEqualTo(located(escapedQuote, 43, "line 1:42 mismatched character '<EOF>' expecting '''"));
    }

    @Test
    void invalidEscapeSequence() {
        String soql = "SELECT Id FROM Account WHERE Name = 'a\\qb'";
        assertThat(malformed(soql).getMessage()).isEqualTo(located(soql, 37,
                "Invalid string literal 'a\\q'. Illegal character sequence '\\q' in string literal."));
    }

    @Test
    void tooDeeplyNestedParentheses() {
        String deep = "SELECT Id FROM Account WHERE " + "(".repeat(5000) + "Name = 'x'" + ")".repeat(5000);
        SoqlException e = malformed(deep);
        assertThat(e.getMessage()).contains("ERROR at Row:1:Column:130\nunexpected token: '('");
        String ok = "SELECT Id FROM Account WHERE " + "(".repeat(Parser.MAX_DEPTH) + "Name = 'x'"
                + ")".repeat(Parser.MAX_DEPTH);
        assertThat(Soql.parse(ok).hasWhere()).isTrue();
    }

    @Test
    void exceptionCarriesCodeAndIsRuntime() {
        SoqlException e = new SoqlException("INVALID_FIELD", "msg");
        assertThat(e).isInstanceOf(RuntimeException.class).hasMessage("msg");
        assertThat(e.errorCode()).isEqualTo("INVALID_FIELD");
        assertThatThrownBy(() -> Soql.parse("nonsense")).isInstanceOf(SoqlException.class)
                .hasMessageEndingWith("unexpected token: 'nonsense'");
    }

    @Test
    void fieldsListIsImmutable() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account ORDER BY Id");
        List<String> fields = q.fields();
        assertThatThrownBy(() -> fields.add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> q.orderBy().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
