package sync.staging;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Salesforce change event exactly as it was received, the unit of the replayable changelog.
 *
 * @param replayId the event's replay id
 * @param channel  the channel it arrived on, e.g. {@code /data/AccountChangeEvent}
 * @param mapping  the mapping name it belongs to
 * @param event    the CometD {@code data} object, untouched: {@code schema}, {@code payload}
 *                 (with its {@code ChangeEventHeader}) and {@code event: {replayId}}
 */
public record StagedEvent(long replayId, String channel, String mapping, Map<String, Object> event) {

    public StagedEvent {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(event, "event");
        // Not Map.copyOf: explicit nulls in the payload are data.
        event = Collections.unmodifiableMap(new LinkedHashMap<>(event));
    }

    /** The event's {@code payload}, empty when absent or not an object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> payload() {
        return event.get("payload") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
    }

    /** The payload's {@code ChangeEventHeader}, empty when absent or not an object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> header() {
        return payload().get("ChangeEventHeader") instanceof Map<?, ?> h ? (Map<String, Object>) h : Map.of();
    }

    /** {@code ChangeEventHeader.commitTimestamp}, when present and numeric. */
    public Optional<Instant> commitTime() {
        return header().get("commitTimestamp") instanceof Number n ? Optional.of(Instant.ofEpochMilli(n.longValue())) : Optional.empty();
    }
}
