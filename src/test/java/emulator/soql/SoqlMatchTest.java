package emulator.soql;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SoqlMatchTest {

    /** "Today" for date literals in these tests: Wednesday 2024-04-10, 12:00 UTC. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-04-10T12:00:00Z"), ZoneOffset.UTC);

    static final String ID18 = "001D000000IRFmaIAH";
    static final String ID15 = "001D000000IRFma";

    static Map<String, Object> account() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("Id", ID18);
        r.put("Name", "Acme Corp");
        r.put("Type", "Customer");
        r.put("IsDeleted", false);
        r.put("NumberOfEmployees", 250);
        r.put("AnnualRevenue", 1500000.5);
        r.put("Score__c", new BigDecimal("7.25"));
        r.put("CreatedDate", "2024-04-09T20:26:27.000+0000");
        r.put("LastActivityDate", "2024-04-01");
        r.put("Open_Time__c", "08:30:00.000Z");
        r.put("Interests__c", "Golf;Tennis;Chess");
        r.put("ParentId", null);
        r.put("Description", "Line one\nLine two");
        r.put("Website", "");
        return r;
    }

    static boolean matches(String where, Map<String, Object> record) {
        return Soql.parse("SELECT Id FROM Account WHERE " + where).matches(record, AccountFields.INSTANCE, CLOCK);
    }

    static boolean matches(String where) {
        return matches(where, account());
    }

    @Test
    void noWhereMatchesEverything() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account");
        assertThat(q.matches(account(), AccountFields.INSTANCE)).isTrue();
        assertThat(q.matches(Map.of(), AccountFields.INSTANCE)).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Name = 'Acme Corp'                  | true
            Name = 'ACME CORP'                  | true
            Name = 'Acme'                       | false
            Name != 'Acme'                      | true
            Name != 'acme corp'                 | false
            Name <> 'acme corp'                 | false
            Name <> 'Other'                     | true
            Name < 'B'                          | true
            Name < 'acme'                       | false
            Name <= 'ACME CORP'                 | true
            Name > 'acme'                       | true
            Name >= 'Acme Corp'                 | true
            Name > 'Z'                          | false
            Name LIKE 'Acme%'                   | true
            Name LIKE 'acme%'                   | true
            Name LIKE '%corp'                   | true
            Name LIKE '%me C%'                  | true
            Name LIKE 'Acme'                    | false
            Name LIKE 'Acme_Corp'               | true
            Name LIKE 'Acme__Corp'              | false
            Name LIKE '_cme Corp'               | true
            Name LIKE '%'                       | true
            Name LIKE 'Acme\\_Corp'             | false
            Name IN ('Foo', 'acme corp')        | true
            Name IN ('Foo', 'Bar')              | false
            Name NOT IN ('Foo', 'Bar')          | true
            Name NOT IN ('ACME CORP')           | false
            Type = 'customer'                   | true
            Type IN ('Partner', 'Customer')     | true
            NumberOfEmployees = 250             | true
            NumberOfEmployees = 250.0           | true
            NumberOfEmployees != 250            | false
            NumberOfEmployees < 251             | true
            NumberOfEmployees <= 250            | true
            NumberOfEmployees > 250             | false
            NumberOfEmployees >= 250            | true
            NumberOfEmployees > -1              | true
            NumberOfEmployees IN (1, 2, 250)    | true
            NumberOfEmployees NOT IN (1, 2)     | true
            AnnualRevenue = 1500000.5           | true
            AnnualRevenue > 1500000.49          | true
            AnnualRevenue < 1500000.5           | false
            Score__c = 7.250                    | true
            Score__c >= 7.26                    | false
            IsDeleted = false                   | true
            IsDeleted = FALSE                   | true
            IsDeleted = true                    | false
            IsDeleted != true                   | true
            ParentId = null                     | true
            ParentId != null                    | false
            Name = null                         | false
            Name != null                        | true
            Website = null                      | true
            Website = ''                        | true
            Name = ''                           | false
            Website != ''                       | false
            ParentId != '001D000000IRFma'       | true
            ParentId = '001D000000IRFma'        | false
            ParentId IN ('001D000000IRFma')     | false
            ParentId NOT IN ('001D000000IRFma') | true
            Name LIKE '%' AND Website LIKE '%'  | false
            Description LIKE 'Line one%two'     | true
            Description = 'Line one\\nLine two' | true
            """)
    void comparisonOperators(String where, boolean expected) {
        assertThat(matches(where)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Interests__c INCLUDES ('Golf')                  | true
            Interests__c INCLUDES ('golf')                  | true
            Interests__c INCLUDES ('Polo')                  | false
            Interests__c INCLUDES ('Polo', 'Chess')         | true
            Interests__c INCLUDES ('Golf;Chess')            | true
            Interests__c INCLUDES ('Chess ; Golf')          | true
            Interests__c INCLUDES ('Golf;Polo')             | false
            Interests__c EXCLUDES ('Polo')                  | true
            Interests__c EXCLUDES ('Golf')                  | false
            Interests__c EXCLUDES ('Polo', 'Tennis')        | false
            Interests__c EXCLUDES ('Golf;Polo')             | true
            Interests__c = 'Golf;Tennis;Chess'              | true
            Interests__c = 'Chess;Golf;Tennis'              | true
            Interests__c = 'Golf'                           | false
            Interests__c != 'Golf'                          | true
            """)
    void multiPicklist(String where, boolean expected) {
        assertThat(matches(where)).isEqualTo(expected);
    }

    @Test
    void multiPicklistNullValue() {
        Map<String, Object> r = account();
        r.put("Interests__c", null);
        assertThat(matches("Interests__c INCLUDES ('Golf')", r)).isFalse();
        assertThat(matches("Interests__c EXCLUDES ('Golf')", r)).isTrue();
        assertThat(matches("Interests__c = null", r)).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            CreatedDate = 2024-04-09T20:26:27Z             | true
            CreatedDate = 2024-04-09T20:26:27.000Z         | true
            CreatedDate = 2024-04-09T20:26:27+00:00        | true
            CreatedDate = 2024-04-09T20:26:27.000+0000     | true
            CreatedDate = 2024-04-09T22:26:27+02:00        | true
            CreatedDate = 2024-04-09T15:26:27.000-0500     | true
            CreatedDate = 2024-04-09T20:26:28Z             | false
            CreatedDate != 2024-04-09T20:26:28Z            | true
            CreatedDate > 2024-04-09T20:26:26Z             | true
            CreatedDate > 2024-04-09T20:26:27Z             | false
            CreatedDate >= 2024-04-09T20:26:27Z            | true
            CreatedDate < 2024-04-09T20:26:27.001Z         | true
            CreatedDate <= 2024-04-09T20:26:26.999Z        | false
            CreatedDate > 2024-04-09T21:00:00+01:00        | true
            CreatedDate IN (2020-01-01T00:00:00Z, 2024-04-09T20:26:27Z) | true
            LastActivityDate = 2024-04-01                  | true
            LastActivityDate = 2024-04-02                  | false
            LastActivityDate < 2024-04-02                  | true
            LastActivityDate <= 2024-04-01                 | true
            LastActivityDate > 2024-03-31                  | true
            LastActivityDate >= 2024-04-02                 | false
            LastActivityDate != 2024-04-01                 | false
            LastActivityDate IN (2024-04-01, 2024-05-01)   | true
            Open_Time__c = 08:30:00.000Z                   | true
            Open_Time__c = 08:30:00Z                       | true
            Open_Time__c < 09:00:00.000Z                   | true
            Open_Time__c > 09:00:00.000Z                   | false
            """)
    void datesAndTimes(String where, boolean expected) {
        assertThat(matches(where)).isEqualTo(expected);
    }

    @Test
    void storedDatetimeFormsAreAllReadAsInstants() {
        for (String stored : List.of("2024-04-09T20:26:27.000+0000", "2024-04-09T20:26:27Z",
                "2024-04-09T20:26:27.000Z", "2024-04-09T20:26:27+00:00", "2024-04-09T22:26:27.000+0200")) {
            Map<String, Object> r = account();
            r.put("CreatedDate", stored);
            assertThat(matches("CreatedDate = 2024-04-09T20:26:27Z", r)).as(stored).isTrue();
            assertThat(matches("CreatedDate > 2024-04-09T20:26:26Z", r)).as(stored).isTrue();
        }
    }

    /** Clock: Wednesday 2024-04-10 12:00 UTC. Weeks start on Sunday (2024-04-07). */
    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            2024-04-10 | TODAY           | true
            2024-04-09 | TODAY           | false
            2024-04-09 | YESTERDAY       | true
            2024-04-11 | TOMORROW        | true
            2024-04-07 | THIS_WEEK       | true
            2024-04-13 | THIS_WEEK       | true
            2024-04-14 | THIS_WEEK       | false
            2024-04-06 | LAST_WEEK       | true
            2024-03-31 | LAST_WEEK       | true
            2024-03-30 | LAST_WEEK       | false
            2024-04-14 | NEXT_WEEK       | true
            2024-04-01 | THIS_MONTH      | true
            2024-03-31 | THIS_MONTH      | false
            2024-03-01 | LAST_MONTH      | true
            2024-05-31 | NEXT_MONTH      | true
            2024-01-01 | THIS_YEAR       | true
            2023-12-31 | LAST_YEAR       | true
            2025-06-01 | NEXT_YEAR       | true
            2024-04-01 | THIS_QUARTER    | true
            2024-03-31 | LAST_QUARTER    | true
            2024-01-11 | LAST_90_DAYS    | true
            2024-01-10 | LAST_90_DAYS    | false
            2024-04-10 | LAST_N_DAYS:7   | true
            2024-04-03 | LAST_N_DAYS:7   | true
            2024-04-02 | LAST_N_DAYS:7   | false
            2024-04-11 | LAST_N_DAYS:7   | false
            2024-04-10 | NEXT_N_DAYS:2   | false
            2024-04-12 | NEXT_N_DAYS:2   | true
            2024-04-13 | NEXT_N_DAYS:2   | false
            2024-04-07 | N_DAYS_AGO:3    | true
            2024-03-15 | LAST_N_MONTHS:1 | true
            2024-04-01 | LAST_N_MONTHS:1 | false
            2022-07-01 | LAST_N_YEARS:2  | true
            2024-02-01 | N_MONTHS_AGO:2  | true
            """)
    void relativeDateLiteralsOnDateField(String stored, String literal, boolean expected) {
        Map<String, Object> r = account();
        r.put("LastActivityDate", stored);
        assertThat(matches("LastActivityDate = " + literal, r)).isEqualTo(expected);
        assertThat(matches("LastActivityDate != " + literal, r)).isEqualTo(!expected);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            2024-04-10T00:00:00.000+0000 | = TODAY          | true
            2024-04-10T23:59:59.999+0000 | = TODAY          | true
            2024-04-11T00:00:00.000+0000 | = TODAY          | false
            2024-04-09T23:59:59.000+0000 | = TODAY          | false
            2024-04-09T23:59:59.000+0000 | = YESTERDAY      | true
            2024-04-09T23:59:59.000+0000 | < TODAY          | true
            2024-04-10T00:00:00.000+0000 | < TODAY          | false
            2024-04-10T10:00:00.000+0000 | <= TODAY         | true
            2024-04-11T00:00:00.000+0000 | <= TODAY         | false
            2024-04-11T00:00:00.000+0000 | > TODAY          | true
            2024-04-10T23:00:00.000+0000 | > TODAY          | false
            2024-04-10T00:00:00.000+0000 | >= TODAY         | true
            2024-04-09T00:00:00.000+0000 | >= TODAY         | false
            2024-04-03T00:00:00.000+0000 | = LAST_N_DAYS:7  | true
            2024-04-02T23:59:59.000+0000 | = LAST_N_DAYS:7  | false
            2024-04-02T23:59:59.000+0000 | < LAST_N_DAYS:7  | true
            2024-04-03T00:00:00.000+0000 | > LAST_N_DAYS:30 | false
            2024-04-03T00:00:00.000+0000 | IN (TODAY, LAST_N_DAYS:7) | true
            """)
    void relativeDateLiteralsOnDatetimeField(String stored, String condition, boolean expected) {
        Map<String, Object> r = account();
        r.put("CreatedDate", stored);
        assertThat(matches("CreatedDate " + condition, r)).isEqualTo(expected);
    }

    @Test
    void relativeDatesUseTheClockInUtc() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account WHERE CreatedDate = TODAY");
        Map<String, Object> r = account();
        r.put("CreatedDate", "2024-04-10T23:30:00.000+0000");
        Clock lateEvening = Clock.fixed(Instant.parse("2024-04-10T23:59:00Z"), ZoneOffset.UTC);
        Clock nextDay = Clock.fixed(Instant.parse("2024-04-11T00:01:00Z"), ZoneOffset.ofHours(-8));
        assertThat(q.matches(r, AccountFields.INSTANCE, lateEvening)).isTrue();
        assertThat(q.matches(r, AccountFields.INSTANCE, nextDay)).isFalse();
        r.put("CreatedDate", Instant.now().toString());
        assertThat(q.matches(r, AccountFields.INSTANCE)).isTrue();
    }

    @ParameterizedTest(name = "Id {0}")
    @ValueSource(strings = {
        "Id = '001D000000IRFma'",
        "Id = '001D000000IRFmaIAH'",
        "Id = '001d000000irfmaiah'",
        "Id = '001D000000IRFMAIAH'",
        "Id IN ('001000000000001', '001D000000IRFma')",
        "Id != '001D000000IRFmb'",
        "Id != '001D000000IRFMA'",
        "Id NOT IN ('001D000000IRFMA')",
    })
    void ids15And18CompareEqual(String where) {
        assertThat(matches(where)).isTrue();
    }

    @ParameterizedTest(name = "Id {0}")
    @ValueSource(strings = {
        "Id = '001D000000IRFMA'",       // 15-char ids are case-sensitive
        "Id = '001d000000irfma'",
        "Id = '001D000000IRFmb'",
        "Id = '001D000000IRFmbIAH'",
        "Id != '001D000000IRFma'",
        "Id != '001d000000irfmaiah'",
    })
    void idsDifferingInCaseOrCharacters(String where) {
        assertThat(matches(where)).isFalse();
    }

    @Test
    void stored15CharIdMatches18CharLiteral() {
        Map<String, Object> r = account();
        r.put("Id", ID15);
        assertThat(matches("Id = '001D000000IRFmaIAH'", r)).isTrue();
        assertThat(matches("Id = '001D000000IRFma'", r)).isTrue();
        r.put("ParentId", "001D000000IRFmaIAH");
        assertThat(matches("ParentId = '001d000000IRFMAIAH'", r)).isTrue();
    }

    @Test
    void idCanonicalFormAndChecksum() {
        assertThat(Ids.to18(ID15)).isEqualTo(ID18);
        assertThat(Ids.canonical(ID18.toLowerCase(Locale.ROOT))).isEqualTo(ID15);
        assertThat(Ids.canonical(ID18.toUpperCase(Locale.ROOT))).isEqualTo(ID15);
        assertThat(Ids.isWellFormed("001D000000IRFm")).isFalse();
        assertThat(Ids.isWellFormed("001D000000IRFm-")).isFalse();
    }

    @Nested
    class Logic {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
                Name = 'Acme Corp' AND Type = 'Customer'                                 | true
                Name = 'Acme Corp' AND Type = 'Partner'                                  | false
                Name = 'Other' OR Type = 'Customer'                                      | true
                Name = 'Other' OR Type = 'Partner'                                       | false
                Name = 'Other' OR Type = 'Partner' OR NumberOfEmployees = 250            | true
                Name = 'Acme Corp' AND Type = 'Customer' AND NumberOfEmployees = 1       | false
                NOT Name = 'Acme Corp'                                                   | false
                NOT Name = 'Other'                                                       | true
                NOT (Name = 'Other' OR Type = 'Partner')                                 | true
                NOT (Name = 'Other' OR Type = 'Customer')                                | false
                (Name = 'Other' OR Type = 'Customer') AND NumberOfEmployees = 250        | true
                Name = 'Other' OR (Type = 'Customer' AND NumberOfEmployees = 250)        | true
                (Name = 'Other' AND Type = 'Customer') OR NumberOfEmployees = 1          | false
                Name = 'Other' AND (Type = 'Customer' OR NumberOfEmployees = 250)        | false
                NOT Name = 'Acme Corp' OR Type = 'Customer'                              | true
                NOT Name = 'Other' AND NOT Type = 'Other'                                | true
                ((((Name = 'Acme Corp'))))                                               | true
                (Name = 'x' OR (IsDeleted = false AND (Type = 'y' OR Type = 'customer')))| true
                name = 'Acme Corp' and TYPE = 'customer'                                 | true
                NOT Name LIKE 'Acme%'                                                    | false
                NOT Name IN ('Acme Corp')                                                | false
                """)
        void andOrNotParentheses(String where, boolean expected) {
            assertThat(matches(where)).isEqualTo(expected);
        }
    }

    @Test
    void nullFieldSemantics() {
        Map<String, Object> r = account();
        r.put("Name", null);
        r.put("NumberOfEmployees", null);
        r.put("CreatedDate", null);
        assertThat(matches("Name = 'x'", r)).isFalse();
        assertThat(matches("Name != 'x'", r)).isTrue();
        assertThat(matches("Name LIKE '%'", r)).isFalse();
        assertThat(matches("Name IN ('x')", r)).isFalse();
        assertThat(matches("Name NOT IN ('x')", r)).isTrue();
        assertThat(matches("Name IN ('x', null)", r)).isTrue();
        assertThat(matches("NumberOfEmployees < 5", r)).isFalse();
        assertThat(matches("NumberOfEmployees > 5", r)).isFalse();
        assertThat(matches("CreatedDate = TODAY", r)).isFalse();
        assertThat(matches("CreatedDate != TODAY", r)).isTrue();
        assertThat(matches("CreatedDate < TODAY", r)).isFalse();
        assertThat(matches("Name = ''", r)).isTrue();
    }

    @Test
    void fieldNamesAreCaseInsensitiveInTheRecord() {
        Map<String, Object> r = new HashMap<>();
        r.put("name", "Acme Corp");
        r.put("NUMBEROFEMPLOYEES", 3L);
        assertThat(matches("NAME = 'acme corp' AND numberofemployees = 3", r)).isTrue();
        Map<String, Object> r2 = account();
        assertThat(matches("nAmE = 'acme corp'", r2)).isTrue();
    }

    @Test
    void numbersOfEveryJavaType() {
        for (Object n : List.of(250, 250L, 250.0, 250.0f, new BigDecimal("250.00"), (short) 250, "250")) {
            Map<String, Object> r = account();
            r.put("NumberOfEmployees", n);
            assertThat(matches("NumberOfEmployees = 250", r)).as(n.getClass().getSimpleName()).isTrue();
            assertThat(matches("NumberOfEmployees > 249.5", r)).as(n.getClass().getSimpleName()).isTrue();
        }
    }

    @Test
    void booleanStoredAsString() {
        Map<String, Object> r = account();
        r.put("IsDeleted", "TRUE");
        assertThat(matches("IsDeleted = true", r)).isTrue();
    }

    @Test
    void valuesOfTheWrongShapeNeverMatchAndNeverThrow() {
        Map<String, Object> r = account();
        r.put("NumberOfEmployees", "lots");
        r.put("CreatedDate", "yesterday-ish");
        r.put("LastActivityDate", 12);
        r.put("IsDeleted", Map.of("x", 1));
        r.put("Name", List.of("a"));
        r.put("Id", 42);
        r.put("Open_Time__c", "noon");
        for (String where : List.of("NumberOfEmployees = 3", "NumberOfEmployees > 3", "CreatedDate = TODAY",
                "CreatedDate > 2020-01-01T00:00:00Z", "LastActivityDate = 2024-01-01", "IsDeleted = true",
                "Name = 'a'", "Name LIKE 'a%'", "Id = '001D000000IRFma'", "Open_Time__c < 12:00:00Z")) {
            assertThat(matches(where, r)).as(where).isFalse();
        }
        assertThat(matches("NumberOfEmployees != 3", r)).isTrue();
    }

    @Test
    void unknownFieldTypesFallBackToTheLiteral() {
        FieldTypes none = new FieldTypes() {
            @Override
            public String typeOf(String field) {
                return null;
            }

            @Override
            public String canonicalName(String field) {
                return null;
            }
        };
        SoqlQuery q = Soql.parse("SELECT Id FROM X WHERE name = 'ACME CORP' AND numberofemployees > 3.5 "
                + "AND CreatedDate < 2030-01-01T00:00:00Z AND IsDeleted = false");
        assertThat(q.matches(account(), none)).isTrue();
        assertThat(q.matches(account(), null)).isTrue();
    }

    @Test
    void escapesInStringLiterals() {
        Map<String, Object> r = account();
        r.put("Name", "O'Brien \\ \"quoted\"\ttab 100%_done");
        assertThat(matches("Name = 'O\\'Brien \\\\ \\\"quoted\\\"\\ttab 100%_done'", r)).isTrue();
        assertThat(matches("Name LIKE '%100\\%\\_done'", r)).isTrue();
        assertThat(matches("Name LIKE '%100\\%\\_DONE'", r)).isTrue();
        r.put("Name", "100xydone");
        assertThat(matches("Name LIKE '100%done'", r)).isTrue();
        assertThat(matches("Name LIKE '100\\%done'", r)).isFalse();
        assertThat(matches("Name LIKE '100_ydone'", r)).isTrue();
        assertThat(matches("Name LIKE '100\\_ydone'", r)).isFalse();
    }

    @Test
    void likeWithManyWildcardsIsFast() {
        Map<String, Object> r = account();
        r.put("Name", "a".repeat(20_000));
        String pattern = "%a".repeat(40) + "%b";
        long start = System.nanoTime();
        assertThat(matches("Name LIKE '" + pattern + "'", r)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    }

    @Test
    void likeOnUnicode() {
        Map<String, Object> r = account();
        r.put("Name", "Ünïcødé 😀 Straße");
        assertThat(matches("Name LIKE 'ünïcødé _ STRAßE'", r)).isTrue();
        assertThat(matches("Name = 'ÜNÏCØDÉ 😀 straße'", r)).isTrue();
    }

    @Test
    void filterOverManyRecords() {
        List<Map<String, Object>> records = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Map<String, Object> r = account();
            r.put("Name", "Acct " + i);
            r.put("NumberOfEmployees", i);
            records.add(r);
        }
        SoqlQuery q = Soql.parse("SELECT Name FROM Account WHERE (NumberOfEmployees >= 5 AND NumberOfEmployees < 8)"
                + " OR Name LIKE '%19'");
        List<String> names = records.stream().filter(r -> q.matches(r, AccountFields.INSTANCE))
                .map(r -> (String) r.get("Name")).collect(Collectors.toList());
        assertThat(names).containsExactly("Acct 5", "Acct 6", "Acct 7", "Acct 19");
    }

    /** Field types of a test Account. */
    static final class AccountFields implements FieldTypes {

        static final AccountFields INSTANCE = new AccountFields();

        private static final Map<String, String[]> FIELDS = new LinkedHashMap<>();

        static {
            add("Id", "id");
            add("Name", "string");
            add("Type", "picklist");
            add("IsDeleted", "boolean");
            add("NumberOfEmployees", "int");
            add("AnnualRevenue", "currency");
            add("Score__c", "double");
            add("Pct__c", "percent");
            add("Big__c", "long");
            add("CreatedDate", "datetime");
            add("LastActivityDate", "date");
            add("Open_Time__c", "time");
            add("Interests__c", "multipicklist");
            add("ParentId", "reference");
            add("OwnerId", "reference");
            add("Description", "textarea");
            add("Website", "url");
            add("Phone", "phone");
            add("Email__c", "email");
            add("BillingAddress", "address");
        }

        private static void add(String name, String type) {
            FIELDS.put(name.toLowerCase(Locale.ROOT), new String[] {name, type});
        }

        @Override
        public String typeOf(String field) {
            String[] f = FIELDS.get(field.toLowerCase(Locale.ROOT));
            return f == null ? null : f[1];
        }

        @Override
        public String canonicalName(String field) {
            String[] f = FIELDS.get(field.toLowerCase(Locale.ROOT));
            return f == null ? null : f[0];
        }
    }
}
