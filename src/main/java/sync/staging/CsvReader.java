package sync.staging;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 reader: ',' separates fields, CRLF or LF ends a record, a field in double quotes may
 * hold separators, line breaks and doubled quotes. An unquoted empty field reads as null, a quoted
 * empty one ({@code ""}) as the empty string (PostgreSQL's COPY convention). A quote inside an
 * unquoted field is kept as is. Blank lines are skipped. Pure and single-use.
 */
final class CsvReader {

    /** A record and the line it starts on (1-based). */
    record Row(int line, List<String> fields) {
    }

    /** A record that could not be read, and why. */
    record Bad(int line, String reason) {
    }

    private final String text;
    private int pos;
    private int line = 1;
    final List<Row> rows = new ArrayList<>();
    final List<Bad> bad = new ArrayList<>();

    private CsvReader(String text) {
        this.text = text;
    }

    /** Reads every record of {@code text}; a bad record is reported and reading goes on with the next line. */
    static CsvReader read(String text) {
        CsvReader r = new CsvReader(text);
        while (r.pos < r.text.length()) {
            if (!r.record()) {
                break;
            }
        }
        return r;
    }

    /** Reads one record; false when reading cannot go on (an unterminated quote runs to the end). */
    private boolean record() {
        int start = line;
        if (atLineEnd()) {
            skipLineEnd(); // blank line
            return true;
        }
        List<String> fields = new ArrayList<>();
        while (true) {
            if (pos < text.length() && text.charAt(pos) == '"') {
                int quoteLine = line;
                StringBuilder value = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= text.length()) {
                        bad.add(new Bad(start, "quoted field opened on line " + quoteLine + " is never closed"));
                        return false;
                    }
                    char c = text.charAt(pos++);
                    if (c == '"') {
                        if (pos < text.length() && text.charAt(pos) == '"') {
                            value.append('"');
                            pos++;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        line++;
                    }
                    value.append(c);
                }
                if (!(pos >= text.length() || text.charAt(pos) == ',' || atLineEnd())) {
                    bad.add(new Bad(start, "unexpected '" + text.charAt(pos) + "' after the closing quote of field "
                            + (fields.size() + 1) + " (a quote inside a quoted field must be doubled)"));
                    skipToNextLine();
                    return true;
                }
                fields.add(value.toString());
            } else {
                int from = pos;
                while (pos < text.length() && text.charAt(pos) != ',' && !atLineEnd()) {
                    pos++;
                }
                fields.add(pos == from ? null : text.substring(from, pos));
            }
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            skipLineEnd();
            rows.add(new Row(start, fields));
            return true;
        }
    }

    private boolean atLineEnd() {
        return pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '\r';
    }

    private void skipLineEnd() {
        if (pos < text.length() && text.charAt(pos) == '\r') {
            pos++;
            if (pos < text.length() && text.charAt(pos) == '\n') {
                pos++;
            }
            line++;
        } else if (pos < text.length() && text.charAt(pos) == '\n') {
            pos++;
            line++;
        }
    }

    private void skipToNextLine() {
        while (!atLineEnd()) {
            pos++;
        }
        skipLineEnd();
    }
}
