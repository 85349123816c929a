package emulator.soql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import emulator.soql.SoqlMatchTest.AccountFields;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile input: parse must only ever throw SoqlException(MALFORMED_QUERY). */
class SoqlFuzzTest {

    private static final List<String> VALID = List.of(
            "SELECT Id, Name FROM Account WHERE (Name LIKE 'A\\%%' OR Name = null) AND NumberOfEmployees >= -10.5 "
                    + "ORDER BY Name DESC NULLS LAST, Id LIMIT 10",
            "SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:7 AND Id IN ('001D000000IRFma')",
            "SELECT Id FROM Account WHERE Interests__c INCLUDES ('a;b') AND NOT Type NOT IN ('x', 'y')",
            "SELECT Id FROM Account WHERE CreatedDate > 2024-04-09T20:26:27.000+0000 OR LastActivityDate < TODAY",
            "SELECT Id FROM Account WHERE Open_Time__c = 10:00:00.000Z AND IsDeleted = false");

    private static final List<String> FRAGMENTS = List.of("SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE",
            "ORDER", "BY", "LIMIT", "ASC", "DESC", "NULLS", "FIRST", "LAST", "COUNT", "(", ")", ",", "=", "!=", "<>",
            "<", ">", "<=", ">=", "'", "''", "'abc'", "'\\'", "\\", "5", "-5", "1.5", "2024-04-09", "2024-04-09T",
            "2024-04-09T20:26:27Z", "10:00:00Z", ":", "TODAY", "LAST_N_DAYS", "LAST_N_DAYS:", "null", "true", "Id",
            "Name", "Account", "a.b", ".", "*", ";", "\"", "\n", "\t", " ", "INCLUDES", "EXCLUDES", "GROUP", "%", "_",
            "ünï", "😀", "\u0000", "\r\n", "99999999999999999999", "9999-99-99");

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "\n", "SELECT", "select", "FROM", "SELECT ,", "SELECT Id FROM", "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account WHERE Name", "SELECT Id FROM Account WHERE Name = ", "SELECT Id FROM Account WHERE (",
        "SELECT Id FROM Account WHERE ((Name = 'x')", "SELECT Id FROM Account WHERE Name = 'x''",
        "SELECT Id FROM Account WHERE Name = '\\", "SELECT Id FROM Account WHERE Name = '\\u0041'",
        "SELECT Id FROM Account LIMIT", "SELECT Id FROM Account LIMIT 99999999999999999999",
        "SELECT Id FROM Account WHERE CreatedDate = 9999-99-99", "SELECT Id FROM Account WHERE d = 2024-04-09T99:99:99Z",
        "SELECT Id FROM Account WHERE d = 2024-04-09T10:00:00+99:99", "SELECT Id FROM Account WHERE t = 99:99:99Z",
        "SELECT Id FROM Account WHERE d = LAST_N_DAYS:99999999999999", "SELECT Id FROM Account WHERE d = LAST_N_DAYS:",
        "SELECT Id FROM Account WHERE n = --5", "SELECT Id FROM Account WHERE n = 5.", "SELECT Id FROM Account WHERE n = -",
        "SELECT\u0000Id FROM Account", "SELECT Id FROM Account WHERE Name = 'x' AND", "SELECT Id FROM Account ORDER",
        "SELECT Id FROM Account ORDER BY", "SELECT Id FROM Account ORDER BY Name NULLS", "SELECT COUNT(",
        "SELECT COUNT(*) FROM Account", "SELECT Id FROM Account WHERE Name IN (", "SELECT Id FROM Account WHERE Name IN ('a',",
        "SELECT Id FROM Account WHERE Name IN ('a',)", "SELECT Id FROM 😀", "SELECT Id FROM Account WHERE Name = 'x' )",
        "SELECT Id FROM Account WHERE NOT", "SELECT Id FROM Account WHERE NOT (", "SELECT Id FROM Account WHERE Name NOT",
        "SELECT Id FROM Account WHERE Name NOT IN", "SELECT Id FROM Account WHERE Name =: x", "'", "''", "\\", "(((((",
        ")))))", "SELECT Id FROM Account WHERE Name LIKE", "SELECT Id FROM Account WHERE a.b.c = 1",
        "SELECT Id FROM Account WHERE Name = 'x' OR", "SELECT .Id FROM Account", "SELECT Id. FROM Account",
    })
    void handPickedGarbage(String soql) {
        assertOnlyMalformed(soql);
    }

    @Test
    void randomCharacterStrings() {
        Random random = new Random(1234);
        String alphabet = "SELECTFROMWHEREselectfromwhere IdName()',=<>!%_\\-+.:;0123456789TZ\n\t\"*#@$ü";
        for (int i = 0; i < 20_000; i++) {
            int len = random.nextInt(60);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < len; j++) {
                if (random.nextInt(20) == 0) {
                    sb.appendCodePoint(random.nextInt(0x1F000));
                } else {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            parseQuietly(sb.toString());
        }
    }

    @Test
    void randomTokenSoup() {
        Random random = new Random(99);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(random.nextBoolean() ? "SELECT " : "");
            int len = random.nextInt(25);
            for (int j = 0; j < len; j++) {
                sb.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
                if (random.nextInt(3) > 0) {
                    sb.append(' ');
                }
            }
            parseQuietly(sb.toString());
        }
    }

    @Test
    void mutationsOfValidQueries() {
        Random random = new Random(7);
        Clock clock = Clock.fixed(Instant.parse("2024-04-10T12:00:00Z"), ZoneOffset.UTC);
        for (String valid : VALID) {
            SoqlQuery q = Soql.parse(valid);
            q.validate("Account", AccountFields.INSTANCE);
            q.matches(SoqlMatchTest.account(), AccountFields.INSTANCE, clock);
        }
        for (int i = 0; i < 30_000; i++) {
            String base = VALID.get(random.nextInt(VALID.size()));
            StringBuilder sb = new StringBuilder(base);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(4)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, base.charAt(random.nextInt(base.length())));
                    case 2 -> sb.setCharAt(at, (char) (32 + random.nextInt(95)));
                    default -> sb.setLength(at);
                }
            }
            SoqlQuery q = parseQuietly(sb.toString());
            if (q != null) {
                // whatever parses must also validate (or fail with a SoqlException) and evaluate without throwing
                try {
                    q.validate("Account", AccountFields.INSTANCE);
                } catch (SoqlException ex) {
                    assertThat(ex.errorCode()).isIn("INVALID_FIELD", "INVALID_QUERY_FILTER_OPERATOR");
                    assertThat(ex.getMessage()).startsWith("\n").contains("\nERROR at Row:");
                }
                q.matches(SoqlMatchTest.account(), AccountFields.INSTANCE, clock);
                q.matches(Map.of(), AccountFields.INSTANCE, clock);
                List<Map<String, Object>> rows = new ArrayList<>(List.of(SoqlMatchTest.account(), Map.of()));
                rows.sort(q.comparator(AccountFields.INSTANCE));
            }
        }
    }

    @Test
    void extremeRelativeDatesAndClocksDoNotThrow() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account WHERE CreatedDate > LAST_N_YEARS:1000000 "
                + "OR CreatedDate > NEXT_N_QUARTERS:1000000 OR LastActivityDate < N_MONTHS_AGO:1000000");
        assertThat(q.matches(SoqlMatchTest.account(), AccountFields.INSTANCE, SoqlMatchTest.CLOCK)).isTrue();
        q.matches(SoqlMatchTest.account(), AccountFields.INSTANCE); // system clock: must not throw
    }

    @Test
    void hugeInputs() {
        parseQuietly("SELECT " + "Id, ".repeat(50_000) + "Id FROM Account");
        parseQuietly("SELECT Id FROM Account WHERE " + "Name = 'x' AND ".repeat(20_000) + "Name = 'y'");
        parseQuietly("SELECT Id FROM Account WHERE " + "NOT (".repeat(100_000));
        parseQuietly("SELECT Id FROM Account WHERE Name = '" + "x".repeat(1_000_000) + "'");
        SoqlQuery q = Soql.parse("SELECT Id FROM Account WHERE " + "Name = 'x' OR ".repeat(20_000) + "Name = 'y'");
        assertThat(q.matches(Map.of("Name", "y"), AccountFields.INSTANCE)).isTrue();
    }

    private static SoqlQuery parseQuietly(String soql) {
        try {
            return Soql.parse(soql);
        } catch (SoqlException e) {
            checkMalformed(soql, e);
            return null;
        } catch (Throwable t) {
            fail("Unexpected " + t + " for input " + printable(soql), t);
            return null;
        }
    }

    private static void assertOnlyMalformed(String soql) {
        try {
            Soql.parse(soql);
            fail("expected MALFORMED_QUERY for " + printable(soql));
        } catch (SoqlException e) {
            checkMalformed(soql, e);
        } catch (Throwable t) {
            fail("Unexpected " + t + " for input " + printable(soql), t);
        }
    }

    private static final Set<String> DETAIL_PREFIXES = Set.of("unexpected token: ", "line ", "Invalid string literal",
            "Bind variables only allowed in Apex code", "invalid date", "invalid datetime", "invalid time",
            "duplicate field selected");

    private static void checkMalformed(String soql, SoqlException e) {
        assertThat(e.errorCode()).as(printable(soql)).isEqualTo("MALFORMED_QUERY");
        String m = e.getMessage();
        assertThat(m).as(printable(soql)).startsWith("\n").containsPattern("\n *\\^\nERROR at Row:\\d+:Column:\\d+\n");
        String detail = m.substring(m.lastIndexOf("\nERROR at Row:"));
        detail = detail.substring(detail.indexOf('\n', 1) + 1);
        String d = detail;
        assertThat(DETAIL_PREFIXES.stream().anyMatch(d::startsWith)).as(printable(soql) + " -> " + d).isTrue();
    }

    private static String printable(String s) {
        if (s.length() > 200) {
            s = s.substring(0, 200) + "...";
        }
        return "\"" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}
