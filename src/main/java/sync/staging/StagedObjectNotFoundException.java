package sync.staging;

import java.util.NoSuchElementException;

/** {@link StagingArea#get(String)} of a key that holds no object. */
public class StagedObjectNotFoundException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public StagedObjectNotFoundException(String key) {
        super("no staged object under key '" + key + "'");
        this.key = key;
    }

    /** The key that was asked for. */
    public String key() {
        return key;
    }
}
