package dev.sluice.server;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The API keys a server accepts, kept as SHA-256 hashes: the key file holds no key a reader of it could use. A key
 * is a high-entropy random string (e.g. {@code openssl rand -hex 32}), so a plain SHA-256 is enough to protect it
 * (a slow password hash is for guessable secrets). Requests present the key as {@code Authorization: Bearer <key>};
 * it is compared with every stored hash in constant time.
 *
 * <p>The file has one hash per line, {@code sha256:} and 64 hex digits, optionally followed by a label; empty lines
 * and lines starting with {@code #} are ignored:
 * <pre>{@code
 * # sluice API keys
 * sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 dashboard
 * }</pre>
 */
public final class ApiKeys {
    static final String PREFIX = "sha256:";
    private static final ApiKeys NONE = new ApiKeys(List.of());

    private final List<byte[]> hashes;

    private ApiKeys(List<byte[]> hashes) {
        this.hashes = hashes;
    }

    /** No keys: the API asks for none, which is only allowed on a loopback address. */
    public static ApiKeys none() {
        return NONE;
    }

    /**
     * Reads the hashes of {@code file}.
     *
     * @throws SluiceException when the file cannot be read, a line is not a hash, or it holds no hash at all
     */
    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException("Cannot read the API key file " + file + ": " + e, e);
        }
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String hash = line.split("\\s+", 2)[0];
            if (!hash.startsWith(PREFIX) || !hash.substring(PREFIX.length()).matches("[0-9a-fA-F]{64}")) {
                // The line is not echoed: it may be a key pasted by mistake.
                throw new SluiceException(file + ":" + (i + 1) + ": expected 'sha256:' and the 64 hex digits of a key's SHA-256,"
                        + " optionally followed by a label. The file holds hashes of keys, never keys; see docs/security.md");
            }
            hashes.add(HexFormat.of().parseHex(hash.substring(PREFIX.length())));
        }
        if (hashes.isEmpty()) {
            throw new SluiceException("The API key file " + file + " holds no key hash; add a line 'sha256:<64 hex digits>' (see docs/security.md)");
        }
        return new ApiKeys(List.copyOf(hashes));
    }

    /** Accepts exactly {@code keys}; for tests and embedding. */
    public static ApiKeys of(String... keys) {
        List<byte[]> hashes = new ArrayList<>();
        for (String key : keys) {
            hashes.add(sha256(key));
        }
        return new ApiKeys(List.copyOf(hashes));
    }

    /** The line to put into a key file for {@code key}: {@code sha256:} and the hex SHA-256 of its UTF-8 bytes. */
    public static String hashLine(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    public boolean isEmpty() {
        return hashes.isEmpty();
    }

    public int size() {
        return hashes.size();
    }

    /** Whether {@code key} is one of the keys; compares with every hash, in constant time each. */
    public boolean accepts(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        byte[] presented = sha256(key);
        boolean match = false;
        for (byte[] hash : hashes) {
            match |= MessageDigest.isEqual(hash, presented);
        }
        return match;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return hashes.size() + " API key" + (hashes.size() == 1 ? "" : "s");
    }
}
