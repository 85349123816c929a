package emulator.soql;

import static org.assertj.core.api.Assertions.assertThat;

import emulator.soql.SoqlMatchTest.AccountFields;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SoqlOrderTest {

    static Map<String, Object> rec(String key, Object... kv) {
        Map<String, Object> r = new HashMap<>();
        r.put("Id", key);
        for (int i = 0; i < kv.length; i += 2) {
            r.put((String) kv[i], kv[i + 1]);
        }
        return r;
    }

    static List<String> sorted(String orderBy, List<Map<String, Object>> records) {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account ORDER BY " + orderBy);
        List<Map<String, Object>> copy = new ArrayList<>(records);
        copy.sort(q.comparator(AccountFields.INSTANCE));
        return copy.stream().map(r -> (String) r.get("Id")).collect(Collectors.toList());
    }

    static List<Map<String, Object>> names() {
        return List.of(rec("b", "Name", "beta"), rec("n", "Name", null), rec("A", "Name", "Alpha"),
                rec("e", "Name", ""), rec("c", "Name", "Charlie"), rec("a", "Name", "alpha"));
    }

    @ParameterizedTest(name = "ORDER BY {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            Name                     | n,e,A,a,b,c
            Name ASC                 | n,e,A,a,b,c
            Name NULLS FIRST         | n,e,A,a,b,c
            Name ASC NULLS LAST      | A,a,b,c,n,e
            Name DESC                | c,b,A,a,n,e
            Name DESC NULLS LAST     | c,b,A,a,n,e
            Name DESC NULLS FIRST    | n,e,c,b,A,a
            name desc nulls first    | n,e,c,b,A,a
            """)
    void textIsCaseInsensitiveWithNullsPlacement(String orderBy, String expected) {
        // the sort is stable: equal keys (A/alpha, a/alpha; null, "") keep their input order
        assertThat(sorted(orderBy, names())).containsExactly(expected.split(","));
    }

    @Test
    void numbersSortNumericallyWhateverTheirJavaType() {
        List<Map<String, Object>> records = List.of(rec("ten", "NumberOfEmployees", 10),
                rec("nine", "NumberOfEmployees", 9L), rec("half", "NumberOfEmployees", 0.5),
                rec("neg", "NumberOfEmployees", new BigDecimal("-3")), rec("none", "NumberOfEmployees", null),
                rec("big", "NumberOfEmployees", "100"));
        assertThat(sorted("NumberOfEmployees", records)).containsExactly("none", "neg", "half", "nine", "ten", "big");
        assertThat(sorted("NumberOfEmployees DESC", records))
                .containsExactly("big", "ten", "nine", "half", "neg", "none");
    }

    @Test
    void datetimesSortAsInstantsAcrossFormats() {
        List<Map<String, Object>> records = List.of(
                rec("t2", "CreatedDate", "2024-04-09T20:26:27.000+0000"),
                rec("t1", "CreatedDate", "2024-04-09T21:00:00.000+0200"),
                rec("t3", "CreatedDate", "2024-04-09T20:26:27.500Z"),
                rec("t0", "CreatedDate", null));
        assertThat(sorted("CreatedDate", records)).containsExactly("t0", "t1", "t2", "t3");
        assertThat(sorted("CreatedDate DESC", records)).containsExactly("t3", "t2", "t1", "t0");
    }

    @Test
    void datesBooleansAndTimes() {
        List<Map<String, Object>> dates = List.of(rec("d2", "LastActivityDate", "2024-12-01"),
                rec("d1", "LastActivityDate", "2024-02-10"), rec("d3", "LastActivityDate", "2025-01-01"));
        assertThat(sorted("LastActivityDate", dates)).containsExactly("d1", "d2", "d3");
        List<Map<String, Object>> flags = List.of(rec("t", "IsDeleted", true), rec("f", "IsDeleted", false),
                rec("n", "IsDeleted", null));
        assertThat(sorted("IsDeleted", flags)).containsExactly("n", "f", "t");
        assertThat(sorted("IsDeleted DESC", flags)).containsExactly("t", "f", "n");
        List<Map<String, Object>> times = List.of(rec("late", "Open_Time__c", "18:00:00.000Z"),
                rec("early", "Open_Time__c", "07:15:00.000Z"));
        assertThat(sorted("Open_Time__c", times)).containsExactly("early", "late");
    }

    @Test
    void multipleKeys() {
        List<Map<String, Object>> records = List.of(
                rec("1", "Type", "Customer", "Name", "b"),
                rec("2", "Type", "partner", "Name", "a"),
                rec("3", "Type", "customer", "Name", "a"),
                rec("4", "Type", null, "Name", "z"),
                rec("5", "Type", "Partner", "Name", null));
        assertThat(sorted("Type, Name", records)).containsExactly("4", "3", "1", "5", "2");
        assertThat(sorted("Type DESC, Name DESC", records)).containsExactly("2", "5", "1", "3", "4");
        assertThat(sorted("Type NULLS LAST, Name DESC NULLS FIRST", records)).containsExactly("1", "3", "5", "2", "4");
    }

    @Test
    void idsSortByCanonicalForm() {
        List<Map<String, Object>> records = List.of(rec("001D000000IRFmbIAH"), rec("001D000000IRFma"),
                rec("001000000000001AAA"));
        assertThat(sorted("Id", records)).containsExactly("001000000000001AAA", "001D000000IRFma",
                "001D000000IRFmbIAH");
    }

    @Test
    void noOrderByComparesEverythingEqual() {
        SoqlQuery q = Soql.parse("SELECT Id FROM Account");
        assertThat(q.comparator(AccountFields.INSTANCE).compare(rec("a", "Name", "x"), rec("b", "Name", "y")))
                .isZero();
    }

    @Test
    void caseInsensitiveRecordKeysAndUnknownTypes() {
        List<Map<String, Object>> records = List.of(rec("2", "NAME", "b"), rec("1", "name", "A"));
        assertThat(sorted("Name", records)).containsExactly("1", "2");
        SoqlQuery q = Soql.parse("SELECT Id FROM X ORDER BY Whatever");
        List<Map<String, Object>> mixed = new ArrayList<>(List.of(rec("s", "Whatever", "text"),
                rec("n", "Whatever", 5), rec("m", "Whatever", Map.of()), rec("b", "Whatever", true),
                rec("z", "Whatever", null), rec("n2", "Whatever", 1.5)));
        mixed.sort(q.comparator(AccountFields.INSTANCE));
        assertThat(mixed.stream().map(r -> r.get("Id"))).containsExactly("z", "n2", "n", "b", "s", "m");
        mixed.sort(q.comparator(null));
        assertThat(mixed.get(0).get("Id")).isEqualTo("z");
    }

    /** The comparator must be a consistent total order even for garbage values (TimSort checks this). */
    @Test
    void comparatorIsConsistentOnMixedGarbage() {
        Object[] pool = {null, "", "x", "X", "10", 10, 9.5, true, false, "2024-01-01", "2024-01-01T00:00:00Z",
            List.of("a"), Map.of("k", 1), new BigDecimal("1E+3"), Double.NaN, "a;b", "08:00:00Z", 'c', -1L};
        Random random = new Random(42);
        for (String field : List.of("Name", "NumberOfEmployees", "CreatedDate", "LastActivityDate", "IsDeleted",
                "Id", "Interests__c", "Open_Time__c", "Unknown__c")) {
            for (String dir : List.of(" ASC", " DESC NULLS FIRST", " ASC NULLS LAST", " DESC")) {
                SoqlQuery q = Soql.parse("SELECT Id FROM Account ORDER BY " + field + dir + ", Id");
                List<Map<String, Object>> records = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    records.add(rec(String.format("%03d", i), field, pool[random.nextInt(pool.length)]));
                }
                Collections.shuffle(records, random);
                records.sort(q.comparator(AccountFields.INSTANCE));
                var c = q.comparator(AccountFields.INSTANCE);
                for (int i = 0; i < 200; i++) {
                    Map<String, Object> a = records.get(random.nextInt(records.size()));
                    Map<String, Object> b = records.get(random.nextInt(records.size()));
                    assertThat(Integer.signum(c.compare(a, b))).isEqualTo(-Integer.signum(c.compare(b, a)));
                }
                for (int i = 1; i < records.size(); i++) {
                    assertThat(c.compare(records.get(i - 1), records.get(i))).as(Arrays.toString(
                            new Object[] {records.get(i - 1), records.get(i)})).isLessThanOrEqualTo(0);
                }
            }
        }
    }
}
