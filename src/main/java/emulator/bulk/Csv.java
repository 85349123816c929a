package emulator.bulk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RFC 4180 CSV as Bulk API 2.0 speaks it: a header row, one of six column delimiters, LF or
 * CRLF line endings (the data must use the job's line ending outside quoted values, else
 * Salesforce fails the job with {@code ClientInputError : LineEnding is invalid on user data}),
 * double-quoted values with {@code ""} for a quote, line breaks allowed inside quotes.
 */
final class Csv {
    private Csv() {
    }

    /** The data could not be read; the message is the job's errorMessage. */
    static final class CsvException extends RuntimeException {
        CsvException(String message) {
            super(message, null, false, false);
        }
    }

    /** BACKQUOTE, CARET, COMMA, PIPE, SEMICOLON, TAB -> the character, or 0 if unknown. */
    static char delimiter(String name) {
        return switch (name == null ? "" : name.toUpperCase(Locale.ROOT)) {
            case "BACKQUOTE" -> '`';
            case "CARET" -> '^';
            case "COMMA" -> ',';
            case "PIPE" -> '|';
            case "SEMICOLON" -> ';';
            case "TAB" -> '\t';
            default -> 0;
        };
    }

    static String lineSeparator(String lineEnding) {
        return "CRLF".equals(lineEnding) ? "\r\n" : "\n";
    }

    /**
     * Parses every record (the header included). {@code lineEnding} "LF" or "CRLF" is enforced
     * outside quoted values; null accepts both (used to list unprocessed records of a failed job).
     * Blank lines are skipped.
     */
    static List<List<String>> parse(String text, char delimiter, String lineEnding) {
        List<List<String>> records = new ArrayList<>();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    continue;
                }
                field.append(c);
                i++;
                continue;
            }
            if (c == '"' && field.length() == 0 && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
                i++;
                continue;
            }
            if (c == delimiter) {
                record.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
                i++;
                continue;
            }
            if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                if ("LF".equals(lineEnding)) {
                    throw new CsvException("ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
                }
                endRecord(records, record, field, wasQuoted);
                record = new ArrayList<>();
                wasQuoted = false;
                i += 2;
                continue;
            }
            if (c == '\n') {
                if ("CRLF".equals(lineEnding)) {
                    throw new CsvException("ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF");
                }
                endRecord(records, record, field, wasQuoted);
                record = new ArrayList<>();
                wasQuoted = false;
                i++;
                continue;
            }
            field.append(c);
            i++;
        }
        if (quoted) {
            throw new CsvException("ClientInputError : Unterminated quoted value in the CSV data");
        }
        endRecord(records, record, field, wasQuoted);
        return records;
    }

    private static void endRecord(List<List<String>> records, List<String> record, StringBuilder field, boolean wasQuoted) {
        if (record.isEmpty() && field.length() == 0 && !wasQuoted) {
            return; // blank line
        }
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
    }

    /** Always-quoted value. */
    static String quote(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    /** Quoted only when it has to be (the delimiter, a quote or a line break inside). */
    static String quoteIfNeeded(String value, char delimiter) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
                return quote(value);
            }
        }
        return value;
    }
}
