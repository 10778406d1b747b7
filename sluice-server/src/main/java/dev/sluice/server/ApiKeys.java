package dev.sluice.server;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys a server accepts, kept only as hashes: the key file holds no key a reader of it could use. Requests
 * present a key as {@code Authorization: Bearer <key>}; it is compared in constant time.
 *
 * <p>The file has one key per line; empty lines and lines starting with {@code #} are ignored. Two forms:
 * <ul>
 *   <li>{@code hmac-sha256:<id>:<salt>:<mac> [label] [stream=S] [rate=N]}, written by {@code sluice keys create}: the key
 *       reads {@code sk_<id>_<secret>} (a 256-bit random secret), and the line holds HMAC-SHA256 of the secret keyed
 *       with a random 128-bit salt of its own. The id finds the line, so checking a key costs one HMAC whatever the
 *       number of keys.
 *   <li>{@code sha256:<64 hex digits> [label] [stream=S] [rate=N]}, the SHA-256 of a key of your own choosing (e.g.
 *       {@code openssl rand -hex 32}); checked against every such line.
 * </ul>
 * A key with {@code stream=S} may only send events to the stream {@code S} ({@code POST /api/v1/streams/S/events}); a key
 * without it is global and may call every route. {@code rate=N} limits the key's ingest to N records per second (0 or
 * absent: the server's {@code --ingest-rate-limit}). Keys are random, not passwords, so a fast keyed hash is enough:
 * guessing a 256-bit secret is hopeless however fast each guess is.
 *
 * <p>A server re-reads its key file when it changes (checked at most once a second), so {@code sluice keys revoke}
 * takes effect within a second, without a restart. A file with every key revoked accepts no key at all.
 *
 * <pre>{@code
 * # sluice API keys
 * hmac-sha256:3f9a1c2e:9d1f...:77ab... dashboard
 * hmac-sha256:0b12aa90:51c0...:c3d4... shop-frontend stream=clicks rate=2000
 * sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 legacy
 * }</pre>
 */
public final class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    static final String PREFIX = "sha256:";
    static final String HMAC_PREFIX = "hmac-sha256:";
    static final String KEY_PREFIX = "sk_";
    private static final Pattern HMAC_LINE = Pattern.compile("hmac-sha256:([0-9a-f]{8}):([0-9a-f]{32}):([0-9a-f]{64})");
    private static final Pattern SHA_LINE = Pattern.compile("sha256:([0-9a-fA-F]{64})");
    private static final Pattern CREATED_KEY = Pattern.compile("sk_([0-9a-f]{8})_([0-9a-f]{64})");
    private static final Pattern STREAM = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final long RELOAD_CHECK_MILLIS = 1000;
    private static final ApiKeys NONE = new ApiKeys(null, List.of(), null, Clock.systemUTC());

    /**
     * One key as the file describes it, never the key itself.
     *
     * @param id            8 hex digits: the id of a created key, or the start of a SHA-256 line's hash
     * @param label         free text after the hash, for people
     * @param stream        the only stream the key may send to; empty for a global key
     * @param ratePerSecond records per second it may ingest; 0 for the server's default
     */
    public record Key(String id, String label, Optional<String> stream, double ratePerSecond) {
        /** Whether the key may call every route, not only one stream's ingest. */
        public boolean global() {
            return stream.isEmpty();
        }

        /** Whether the key may send events to {@code name}. */
        public boolean allowsStream(String name) {
            return stream.isEmpty() || stream.get().equals(name);
        }
    }

    private record Entry(Key key, byte[] salt, byte[] hash) {}

    private final Path file;
    private final Clock clock;
    private volatile List<Entry> entries;
    private volatile FileTime loadedVersion;
    private volatile long checkedAt;

    private ApiKeys(Path file, List<Entry> entries, FileTime version, Clock clock) {
        this.file = file;
        this.entries = entries;
        this.loadedVersion = version;
        this.clock = clock;
    }

    /** No keys: the API asks for none, which is only allowed on a loopback address. */
    public static ApiKeys none() {
        return NONE;
    }

    /**
     * Reads the keys of {@code file}, and later re-reads it when it changes.
     *
     * @throws SluiceException when the file cannot be read, a line is not a key hash, or it holds no key at all
     */
    public static ApiKeys load(Path file) {
        return load(file, Clock.systemUTC());
    }

    static ApiKeys load(Path file, Clock clock) {
        FileTime version = modified(file);
        List<Entry> entries = read(file);
        if (entries.isEmpty()) {
            throw new SluiceException("The API key file " + file + " holds no key hash; create a key with 'sluice keys create --file "
                    + file + "' or add a line 'sha256:<64 hex digits>' (see docs/security.md)");
        }
        return new ApiKeys(file, entries, version, clock);
    }

    /** Accepts exactly {@code keys}, as global keys; for tests and embedding. */
    public static ApiKeys of(String... keys) {
        List<Entry> entries = new ArrayList<>();
        for (String key : keys) {
            byte[] hash = sha256(key);
            entries.add(new Entry(new Key(HexFormat.of().formatHex(hash, 0, 4), "", Optional.empty(), 0), null, hash));
        }
        return new ApiKeys(null, List.copyOf(entries), null, Clock.systemUTC());
    }

    /** The line to put into a key file for {@code key}: {@code sha256:} and the hex SHA-256 of its UTF-8 bytes. */
    public static String hashLine(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    /** Whether the API asks for no key at all (no key file). A file whose keys were all revoked accepts none. */
    public boolean isEmpty() {
        return file == null && entries.isEmpty();
    }

    public int size() {
        return current().size();
    }

    /** Whether {@code key} is a global key (one that may call every route). */
    public boolean accepts(String key) {
        return find(key).map(Key::global).orElse(false);
    }

    /** The key {@code presented} is, if it is one; global or limited to a stream. */
    public Optional<Key> find(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        List<Entry> all = current();
        Matcher created = CREATED_KEY.matcher(presented);
        if (created.matches()) {
            byte[] secret = created.group(2).getBytes(StandardCharsets.US_ASCII);
            for (Entry e : all) {
                if (e.salt() != null && e.key().id().equals(created.group(1)) && MessageDigest.isEqual(e.hash(), hmac(e.salt(), secret))) {
                    return Optional.of(e.key());
                }
            }
        }
        byte[] hash = sha256(presented);
        Key found = null;
        for (Entry e : all) {
            // Every line is compared, so the time taken does not tell which one matched.
            if (e.salt() == null && MessageDigest.isEqual(e.hash(), hash) && found == null) {
                found = e.key();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The keys as the file lists them, never the keys themselves. */
    public List<Key> keys() {
        return current().stream().map(Entry::key).toList();
    }

    private List<Entry> current() {
        if (file != null) {
            long now = clock.millis();
            if (now - checkedAt >= RELOAD_CHECK_MILLIS) {
                checkedAt = now;
                reloadIfChanged();
            }
        }
        return entries;
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime version = modified(file);
            if (!version.equals(loadedVersion)) {
                entries = read(file);
                loadedVersion = version;
                LOG.info("Re-read the API key file {}: {} key(s).", file, entries.size());
            }
        } catch (SluiceException e) {
            LOG.warn("The API key file {} changed but cannot be read; keeping the {} key(s) read before: {}", file, entries.size(),
                    e.getMessage());
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new SluiceException("Cannot read the API key file " + file + ": " + e, e);
        }
    }

    private static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException("Cannot read the API key file " + file + ": " + e, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            Matcher hmac = HMAC_LINE.matcher(parts[0]);
            Matcher sha = SHA_LINE.matcher(parts[0]);
            byte[] salt;
            byte[] hash;
            String id;
            if (hmac.matches()) {
                id = hmac.group(1);
                salt = HexFormat.of().parseHex(hmac.group(2));
                hash = HexFormat.of().parseHex(hmac.group(3));
            } else if (sha.matches()) {
                salt = null;
                hash = HexFormat.of().parseHex(sha.group(1));
                id = HexFormat.of().formatHex(hash, 0, 4);
            } else {
                // The line is not echoed: it may be a key pasted by mistake.
                throw new SluiceException(file + ":" + (i + 1) + ": expected 'hmac-sha256:<id>:<salt>:<mac>' (written by 'sluice keys"
                        + " create') or 'sha256:' and the 64 hex digits of a key's SHA-256, optionally followed by a label,"
                        + " stream=S and rate=N. The file holds hashes of keys, never keys; see docs/security.md");
            }
            List<String> label = new ArrayList<>();
            Optional<String> stream = Optional.empty();
            double rate = 0;
            for (int k = 1; k < parts.length; k++) {
                if (parts[k].startsWith("stream=")) {
                    String name = parts[k].substring("stream=".length());
                    if (!STREAM.matcher(name).matches()) {
                        throw new SluiceException(file + ":" + (i + 1) + ": invalid stream name '" + name
                                + "'; expected a Kafka topic name (a-z, A-Z, 0-9, '.', '_', '-')");
                    }
                    stream = Optional.of(name);
                } else if (parts[k].startsWith("rate=")) {
                    rate = rate(parts[k].substring("rate=".length()), file + ":" + (i + 1));
                } else {
                    label.add(parts[k]);
                }
            }
            entries.add(new Entry(new Key(id, String.join(" ", label), stream, rate), salt, hash));
        }
        return List.copyOf(entries);
    }

    private static double rate(String text, String where) {
        try {
            double rate = Double.parseDouble(text);
            if (rate >= 0 && Double.isFinite(rate)) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SluiceException(where + ": invalid rate '" + text + "'; expected records per second, a number of at least 0");
    }

    /**
     * Creates a key, appends its line to {@code file} (created with owner-only permissions if missing) and returns the
     * key, which is shown once and stored nowhere.
     */
    public static String create(Path file, String label, Optional<String> stream, double ratePerSecond, SecureRandom random) {
        if (label.chars().anyMatch(Character::isWhitespace) || label.contains("=")) {
            throw new SluiceException("invalid label '" + label + "'; a label is one word without '=' (e.g. shop-frontend)");
        }
        stream.ifPresent(s -> {
            if (!STREAM.matcher(s).matches()) {
                throw new SluiceException("invalid stream name '" + s + "'; expected a Kafka topic name (a-z, A-Z, 0-9, '.', '_', '-')");
            }
        });
        if (!(ratePerSecond >= 0) || !Double.isFinite(ratePerSecond)) {
            throw new SluiceException("invalid rate " + ratePerSecond + "; expected records per second, at least 0");
        }
        List<String> lines = existingLines(file);
        List<String> ids = file.toFile().exists() ? read(file).stream().map(e -> e.key().id()).toList() : List.of();
        byte[] idBytes = new byte[4];
        String id;
        do {
            random.nextBytes(idBytes);
            id = HexFormat.of().formatHex(idBytes);
        } while (ids.contains(id));
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        String secret = HexFormat.of().formatHex(secretBytes);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] mac = hmac(salt, secret.getBytes(StandardCharsets.US_ASCII));
        StringBuilder line = new StringBuilder(HMAC_PREFIX).append(id).append(':').append(HexFormat.of().formatHex(salt)).append(':')
                .append(HexFormat.of().formatHex(mac));
        if (!label.isEmpty()) {
            line.append(' ').append(label);
        }
        stream.ifPresent(s -> line.append(" stream=").append(s));
        if (ratePerSecond > 0) {
            line.append(" rate=").append(ratePerSecond == Math.rint(ratePerSecond) ? String.valueOf((long) ratePerSecond) : ratePerSecond);
        }
        if (lines.isEmpty()) {
            lines.add("# sluice API keys: hashes only, never keys (see docs/security.md)");
        }
        lines.add(line.toString());
        write(file, lines);
        return KEY_PREFIX + id + "_" + secret;
    }

    /** The keys {@code file} lists, without the keys themselves. */
    public static List<Key> list(Path file) {
        return read(file).stream().map(Entry::key).toList();
    }

    /** Removes the line of the key {@code id} from {@code file}; false when no line has that id. */
    public static boolean revoke(Path file, String id) {
        List<String> lines = existingLines(file);
        List<Entry> entries = read(file);
        List<String> kept = new ArrayList<>();
        boolean removed = false;
        int entry = 0;
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                kept.add(line);
                continue;
            }
            if (entries.get(entry++).key().id().equals(id)) {
                removed = true;
            } else {
                kept.add(line);
            }
        }
        if (removed) {
            write(file, kept);
        }
        return removed;
    }

    private static List<String> existingLines(Path file) {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException e) {
            throw new SluiceException("Cannot read the API key file " + file + ": " + e, e);
        }
    }

    /** Writes a sibling file and moves it over {@code file}, so a server never reads half a file. */
    private static void write(Path file, List<String> lines) {
        Path absolute = file.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temp);
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp);
            }
            Files.write(temp, lines, StandardCharsets.UTF_8);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SluiceException("Cannot write the API key file " + file + ": " + e, e);
        }
    }

    private static byte[] hmac(byte[] salt, byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            return mac.doFinal(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
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
        int n = current().size();
        return n + " API key" + (n == 1 ? "" : "s");
    }
}
