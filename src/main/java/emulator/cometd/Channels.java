package emulator.cometd;

import java.util.regex.Pattern;

/** Which Streaming API channels a client may subscribe to (WIRE.md §3.7). */
final class Channels {
    static final String CHANGE_EVENTS = "/data/ChangeEvents";

    private static final String NAME = "[A-Za-z][A-Za-z0-9_]*";
    private static final Pattern DATA_CHANGE_EVENT = Pattern.compile("/data/" + NAME + "ChangeEvent");
    private static final Pattern DATA_CUSTOM_CHANNEL = Pattern.compile("/data/" + NAME + "__chn");
    private static final Pattern PLATFORM_EVENT = Pattern.compile("/event/" + NAME + "__e");
    private static final Pattern PUSH_TOPIC = Pattern.compile("/topic/" + NAME);

    private Channels() {
    }

    /** True for the channel names Salesforce serves: CDC, custom CDC channels, platform events, PushTopics. */
    static boolean exists(String channel) {
        return channel.equals(CHANGE_EVENTS)
                || DATA_CHANGE_EVENT.matcher(channel).matches()
                || DATA_CUSTOM_CHANNEL.matcher(channel).matches()
                || PLATFORM_EVENT.matcher(channel).matches()
                || PUSH_TOPIC.matcher(channel).matches();
    }

    static boolean isMeta(String channel) {
        return channel.startsWith("/meta/");
    }
}
