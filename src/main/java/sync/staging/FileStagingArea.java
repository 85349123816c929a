package sync.staging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A staging area in a local directory (the embedded default, {@code file:target/staging}). A key's
 * segments are sub-directories. {@link #put} writes a temporary file beside the target, forces it
 * to disk, renames it atomically over the target and forces the directory, so the object under a
 * key is always complete and survives a crash once {@code put} has returned. Temporary files are
 * hidden ('.'-prefixed) and never listed; key segments starting with '.' are therefore reserved.
 */
public final class FileStagingArea implements StagingArea {

    private static final String TEMP_SUFFIX = ".tmp";

    private final Path root;

    /** @param root the directory; created if missing */
    public FileStagingArea(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new StagingUnavailableException("cannot create staging directory " + this.root + ": " + e, e);
        }
    }

    /** The directory. */
    public Path root() {
        return root;
    }

    @Override
    public void put(String key, byte[] content) {
        Path target = resolve(key);
        Path dir = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            // Not Files.createTempFile: its files are owner-only, and the object should get the
            // permissions any file written here gets.
            Path candidate = dir.resolve("." + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
            try (FileChannel ch = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                temp = candidate;
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            forceDirectory(dir);
        } catch (AtomicMoveNotSupportedException e) {
            throw new StagingException("staging directory " + root + " does not support atomic renames", e);
        } catch (IOException e) {
            throw new StagingUnavailableException("cannot write staged object '" + key + "' in " + root + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is hidden from list() and harmless
                }
            }
        }
    }

    @Override
    public byte[] get(String key) {
        Path file = resolve(key);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new StagedObjectNotFoundException(key);
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new StagedObjectNotFoundException(key);
            }
            throw new StagingUnavailableException("cannot read staged object '" + key + "' in " + root + ": " + e, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        StagingPaths.checkPrefix(prefix);
        // Walk only the deepest directory the prefix names completely.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        for (int attempt = 1; ; attempt++) {
            try {
                return walk(start, prefix);
            } catch (NoSuchFileException e) {
                // a file was deleted while walking: walk again
                if (attempt == 3) {
                    throw new StagingUnavailableException("staged objects under '" + prefix + "' keep changing while listed", e);
                }
            } catch (IOException e) {
                throw new StagingUnavailableException("cannot list staged objects under '" + prefix + "' in " + root + ": " + e, e);
            }
        }
    }

    private List<String> walk(Path start, String prefix) throws IOException {
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String key = toKey(f);
                if (key != null && key.startsWith(prefix)) {
                    keys.add(key);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) {
        Path file = resolve(key);
        try {
            if (Files.deleteIfExists(file)) {
                forceDirectory(file.getParent());
            }
        } catch (IOException e) {
            throw new StagingUnavailableException("cannot delete staged object '" + key + "' in " + root + ": " + e, e);
        }
    }

    @Override
    public String describe() {
        return "directory " + root;
    }

    private Path resolve(String key) {
        StagingPaths.checkKey(key);
        for (String segment : key.split("/")) {
            if (segment.startsWith(".")) {
                throw new IllegalArgumentException("staging key '" + key + "': segments starting with '.' are reserved"
                        + " for temporary files in a directory staging area");
            }
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("staging key '" + key + "' leaves the staging directory");
        }
        return path;
    }

    /** The key of a file under root; null for hidden (temporary) files. */
    private String toKey(Path file) {
        Path rel = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path segment : rel) {
            String name = segment.toString();
            if (name.startsWith(".")) {
                return null;
            }
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(name);
        }
        return key.toString();
    }

    /** Makes a rename or delete in {@code dir} durable (a no-op where directories cannot be opened). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Windows cannot open a directory; its renames are durable without this
        }
    }
}
