package sync.salesforce;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * camel-salesforce keeps the replay id of every CometD channel in one static map shared by the
 * whole JVM; a subscription's configured replayId only applies when the channel has no entry yet,
 * and the entry follows every event received (not applied). Before Sluice (re)starts a
 * subscription it sets the entry to the position it has durably applied, so a restarted route in
 * the same JVM (dev-mode reload, tests, a route restart after an error) never skips events that
 * were received but not applied. The map is not public API: this class fails loudly if the
 * component's internals change.
 */
public final class CamelReplayPositions {
    private CamelReplayPositions() {
    }

    public static void set(String channel, long replayId) {
        try {
            Class<?> helper = Class.forName("org.apache.camel.component.salesforce.internal.streaming.SubscriptionHelper");
            Field field = helper.getDeclaredField("REPLAY_EXTENSION");
            field.setAccessible(true);
            Object extension = field.get(null);
            Method setter = extension.getClass().getMethod("setReplayId", String.class, long.class);
            setter.invoke(extension, channel, replayId);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("camel-salesforce's replay map is not where Sluice expects it "
                    + "(SubscriptionHelper.REPLAY_EXTENSION); cannot set the start position of " + channel, e);
        }
    }
}
