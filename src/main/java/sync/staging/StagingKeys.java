package sync.staging;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object keys of the staging area. Staged change batches live under
 * <pre>changes/&lt;Object&gt;/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;HH&gt;/&lt;first replayId&gt;-&lt;last replayId&gt;.ndjson</pre>
 * (UTC hour of the batch's first event; replay ids zero-padded to 19 digits, so that sorting keys
 * as strings sorts batches in replay order and a key names the range it holds). Files that other
 * tools drop for a mapping live under {@code inbound/<mapping>/}. Pure functions.
 */
public final class StagingKeys {

    /** Root of staged change batches. */
    public static final String CHANGES = "changes/";
    /** Root of files dropped by other tools. */
    public static final String INBOUND = "inbound/";
    /** Extension of staged change batches. */
    public static final String EXTENSION = ".ndjson";

    private static final Pattern OBJECT = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern MAPPING = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern BATCH = Pattern.compile(
            "changes/([A-Za-z][A-Za-z0-9_]*)/(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})/(\\d{19})-(\\d{19})\\.ndjson");

    private StagingKeys() {
    }

    /**
     * The key of a batch of {@code object}'s events.
     *
     * @param firstEventTime receipt or commit time of the batch's first event; picks the hour folder
     */
    public static String changes(String object, Instant firstEventTime, long firstReplayId, long lastReplayId) {
        return new ChangeBatch(object, firstEventTime, firstReplayId, lastReplayId).key();
    }

    /** Prefix of every batch of {@code object}, e.g. {@code changes/Account/}. */
    public static String changesPrefix(String object) {
        return CHANGES + checkObject(object) + "/";
    }

    /** Prefix of {@code object}'s batches of one UTC hour, e.g. {@code changes/Account/2024/04/09/20/}. */
    public static String changesPrefix(String object, Instant hour) {
        LocalDateTime t = LocalDateTime.ofInstant(hour, ZoneOffset.UTC);
        return String.format("%s%04d/%02d/%02d/%02d/", changesPrefix(object), t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour());
    }

    /** Prefix under which other tools drop files for {@code mapping}, e.g. {@code inbound/account/}. */
    public static String inboundPrefix(String mapping) {
        if (mapping == null || !MAPPING.matcher(mapping).matches()) {
            throw new IllegalArgumentException("'" + mapping + "' is not a mapping name (letters, digits, '-', '_')");
        }
        return INBOUND + mapping + "/";
    }

    /** The mapping an inbound file belongs to: {@code inbound/account/x.csv} -> {@code account}. */
    public static Optional<String> inboundMapping(String key) {
        if (key == null || !key.startsWith(INBOUND)) {
            return Optional.empty();
        }
        int slash = key.indexOf('/', INBOUND.length());
        if (slash < 0 || slash == key.length() - 1) {
            return Optional.empty();
        }
        String mapping = key.substring(INBOUND.length(), slash);
        return MAPPING.matcher(mapping).matches() ? Optional.of(mapping) : Optional.empty();
    }

    /** The batch a key names, or empty when the key is not a staged change batch's key. */
    public static Optional<ChangeBatch> parse(String key) {
        Matcher m = key == null ? null : BATCH.matcher(key);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        try {
            Instant hour = LocalDateTime.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), 0).toInstant(ZoneOffset.UTC);
            long first = Long.parseLong(m.group(6));
            long last = Long.parseLong(m.group(7));
            return first <= last ? Optional.of(new ChangeBatch(m.group(1), hour, first, last)) : Optional.empty();
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty(); // e.g. month 13, or a 19-digit number beyond Long.MAX_VALUE
        }
    }

    private static String checkObject(String object) {
        if (object == null || !OBJECT.matcher(object).matches()) {
            throw new IllegalArgumentException("'" + object + "' is not a Salesforce object API name");
        }
        return object;
    }

    /**
     * A staged batch: {@code object}'s events {@code firstReplayId..lastReplayId} (inclusive),
     * the first received in {@code hour}.
     *
     * @param hour any instant in the hour; kept truncated to the hour
     */
    public record ChangeBatch(String object, Instant hour, long firstReplayId, long lastReplayId) {

        public ChangeBatch {
            checkObject(object);
            if (firstReplayId < 0 || lastReplayId < firstReplayId) {
                throw new IllegalArgumentException("not a replay range: " + firstReplayId + "-" + lastReplayId);
            }
            hour = hour.truncatedTo(ChronoUnit.HOURS);
        }

        /** This batch's key. */
        public String key() {
            return String.format("%s%019d-%019d%s", changesPrefix(object, hour), firstReplayId, lastReplayId, EXTENSION);
        }

        /** Whether this batch may hold events of the replay range {@code from..to} (inclusive). */
        public boolean overlaps(long from, long to) {
            return firstReplayId <= to && from <= lastReplayId;
        }
    }
}
