package emulator.cdc;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One event as retained by the org's event bus: the {@code data} part of a CometD delivery
 * ({@code schema}, {@code payload}, {@code event.replayId}) and the channels it is delivered on.
 */
public record StreamEvent(long replayId, Instant publishedAt, Set<String> channels, String schema,
                          Map<String, Object> payload) {
}
