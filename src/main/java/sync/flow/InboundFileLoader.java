package sync.flow;

import org.jboss.logging.Logger;
import sync.apply.ApplyResult;
import sync.apply.PostgresApplier;
import sync.change.Change;
import sync.mapping.ResolvedMapping;
import sync.staging.InboundFiles;
import sync.staging.StagedObjectNotFoundException;
import sync.staging.StagingArea;
import sync.staging.StagingKeys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Applies the files other tools drop under {@code inbound/<mapping>/} of the staging area, each
 * once: read, parsed ({@link InboundFiles#parse}), deduplicated to the latest version of each
 * record, applied with the same upsert as change events (no replay position; the ordering guard
 * makes a version older than the row a no-op), then moved out of the inbound prefix, to
 * {@code inbound-done/<mapping>/...}, or {@code inbound-failed/<mapping>/...} when not one record
 * could be read. A record that cannot be read is dead-lettered with its key, line and text; one
 * that cannot be written is dead-lettered by the applier; the file's other records still apply.
 *
 * <p>A transient failure ({@code StagingUnavailableException}, {@code TransientApplyException})
 * propagates and leaves the file where it is, to be loaded again: re-applying what already
 * applied is a no-op. Nothing here knows about Camel.
 */
public final class InboundFileLoader {
    private static final Logger LOG = Logger.getLogger(InboundFileLoader.class);

    /** Where applied files go: {@code inbound-done/<mapping>/<name>}. */
    public static final String DONE = "inbound-done/";
    /** Where files without one readable record go: {@code inbound-failed/<mapping>/<name>}. */
    public static final String FAILED = "inbound-failed/";

    private final StagingArea staging;
    private final PostgresApplier applier;
    private final DeadLetterWriter deadLetters;
    private final SyncMetrics metrics;
    private final int batchSize;

    /** @param batchSize records per apply transaction (a large file is applied in several) */
    public InboundFileLoader(StagingArea staging, PostgresApplier applier, DeadLetterWriter deadLetters,
                             SyncMetrics metrics, int batchSize) {
        this.staging = staging;
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.batchSize = batchSize;
    }

    /**
     * What loading one file did.
     *
     * @param records      records read (every version, before deduplication)
     * @param applied      records written to the table
     * @param skipped      records the ordering guard skipped: older than (or the same as) the row
     * @param deadLettered unreadable or unwritable records, or 1 for an unreadable file
     * @param movedTo      the key the file now has
     */
    public record Outcome(String key, int records, int applied, int skipped, int deadLettered, String movedTo) {
    }

    /** Loads every file waiting under the inbound prefix of each of {@code mappings}, in key order. */
    public List<Outcome> loadAll(Collection<ResolvedMapping> mappings) {
        List<Outcome> out = new ArrayList<>();
        for (ResolvedMapping m : mappings) {
            for (String key : staging.list(StagingKeys.inboundPrefix(m.name()))) {
                load(m, key).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Loads one file; empty when it is gone already (moved between listing and reading). */
    public Optional<Outcome> load(ResolvedMapping m, String key) {
        byte[] content;
        try {
            content = staging.get(key);
        } catch (StagedObjectNotFoundException e) {
            return Optional.empty();
        }
        InboundFiles.Parsed parsed = InboundFiles.parse(key, content);
        if (parsed.records().isEmpty() && !parsed.problems().isEmpty()) {
            String target = FAILED + key.substring(StagingKeys.INBOUND.length());
            List<String> reasons = parsed.problems().stream().map(InboundFiles.Problem::toString).toList();
            deadLetters.inboundFile(m.name(), key, target, reasons);
            metrics.deadLettered(m.name(), 1);
            move(key, target, content);
            LOG.warnf("mapping '%s': inbound file %s has no readable record, moved to %s: %s", m.name(), key, target,
                    reasons.get(0));
            return Optional.of(new Outcome(key, 0, 0, 0, 1, target));
        }
        int applied = 0;
        int skipped = 0;
        int failed = 0;
        List<InboundFiles.InboundRecord> latest = InboundFiles.latestById(parsed.records());
        for (int from = 0; from < latest.size(); from += batchSize) {
            List<Change> changes = InboundFiles.toChanges(m.name(), latest.subList(from, Math.min(latest.size(), from + batchSize)));
            ApplyResult r = applier.apply(m, changes, null);
            applied += r.applied();
            skipped += r.skipped();
            failed += r.deadLettered();
        }
        // Older versions of a record in the same file never reach the applier: skipped as well.
        skipped += parsed.records().size() - latest.size();
        if (!parsed.problems().isEmpty()) {
            rejectRecords(m, key, content, parsed.problems());
            failed += parsed.problems().size();
        }
        metrics.deadLettered(m.name(), failed);
        String target = DONE + key.substring(StagingKeys.INBOUND.length());
        move(key, target, content);
        LOG.infof("mapping '%s': inbound file %s: %d record(s), %d applied, %d skipped as not newer, %d dead-lettered;"
                + " moved to %s", m.name(), key, parsed.records().size(), applied, skipped, failed, target);
        return Optional.of(new Outcome(key, parsed.records().size(), applied, skipped, failed, target));
    }

    /** Dead-letters each unreadable record with the line it starts on (and a CSV file's header). */
    private void rejectRecords(ResolvedMapping m, String key, byte[] content, List<InboundFiles.Problem> problems) {
        // Lenient decoding: the text is only shown, and a file that is not UTF-8 was reported as such.
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        String header = key.toLowerCase(Locale.ROOT).endsWith(".csv") && lines.length > 0 ? stripBom(lines[0]) : null;
        for (InboundFiles.Problem p : problems) {
            String record = p.line() >= 1 && p.line() <= lines.length ? lines[p.line() - 1] : null;
            deadLetters.inboundRecord(m.name(), key, p.line(), p.line() == 1 ? null : header, record, p.reason());
        }
    }

    /**
     * Moves a file out of the inbound prefix: written to {@code target} first, then deleted, so a
     * crash in between loads it once more (its records then are no-ops) rather than losing it.
     */
    private void move(String key, String target, byte[] content) {
        staging.put(target, content);
        staging.delete(key);
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
