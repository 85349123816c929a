package sync.embedded;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Starts something at most once per JVM and hands its connection settings to every later
 * caller, even one in another class loader. Quarkus dev mode reloads the application's classes
 * in a fresh class loader on every change, and tests may run several applications one after the
 * other, so a static field alone would start a second database. The settings are kept as JVM
 * system properties under {@code sluice.once.<name>.}, a namespace no configuration reads.
 */
public final class JvmOnce {

    private static final String PREFIX = "sluice.once.";

    private JvmOnce() {
    }

    /**
     * The settings of the service called {@code name}: the ones stored by the first caller in
     * this JVM, or those returned by {@code start} (called only if there are none yet).
     *
     * @param start starts the service, registers its shutdown and returns its (non-empty) settings
     */
    public static Map<String, String> settings(String name, Supplier<Map<String, String>> start) {
        String prefix = PREFIX + name + ".";
        // An interned string is one object in the whole JVM, whatever class loader asks.
        synchronized (prefix.intern()) {
            Map<String, String> stored = stored(prefix);
            if (!stored.isEmpty()) {
                return stored;
            }
            Map<String, String> started = start.get();
            if (started.isEmpty()) {
                throw new IllegalStateException("starting " + name + " returned no settings");
            }
            started.forEach((key, value) -> System.setProperty(prefix + key, value));
            return Map.copyOf(started);
        }
    }

    /** Whether {@code name} has been started in this JVM. */
    public static boolean started(String name) {
        return !stored(PREFIX + name + ".").isEmpty();
    }

    private static Map<String, String> stored(String prefix) {
        Map<String, String> stored = new TreeMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                stored.put(key.substring(prefix.length()), System.getProperty(key));
            }
        }
        return stored;
    }
}
