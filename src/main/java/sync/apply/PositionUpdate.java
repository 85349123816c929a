package sync.apply;

import java.util.Objects;

/**
 * The stream position to store with an applied batch: the last replayId of a channel,
 * committed in the same transaction as the rows it covers.
 *
 * @param orgId    the Salesforce org (18-char Id)
 * @param channel  the channel, e.g. {@code /data/AccountChangeEvent}
 * @param replayId the replayId of the batch's last event
 */
public record PositionUpdate(String orgId, String channel, long replayId) {

    public PositionUpdate {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(channel, "channel");
    }
}
