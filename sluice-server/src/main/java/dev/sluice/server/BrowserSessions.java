package dev.sluice.server;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Browser sessions of a server that asks for API keys. A browser cannot send {@code Authorization: Bearer} with every
 * request it makes (page loads, {@code EventSource}), so the web UI posts the key once ({@code POST /api/v1/session})
 * and gets a cookie that holds a random session id: never the key, and {@code HttpOnly} (no script reads it) and
 * {@code SameSite=Strict} (no other site's page sends it). A session ends after {@link #IDLE_TIMEOUT} without use, at
 * {@link #MAX_AGE} in any case, on logout, or when {@link #MAX_SESSIONS} newer ones push it out.
 */
public final class BrowserSessions {
    /** The cookie that carries the session id. */
    public static final String COOKIE = "sluice_session";
    static final Duration IDLE_TIMEOUT = Duration.ofHours(8);
    static final Duration MAX_AGE = Duration.ofHours(24);
    static final int MAX_SESSIONS = 1000;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Session id to its times, oldest first; guarded by this object. */
    private final Map<String, Times> sessions = new LinkedHashMap<>();

    private record Times(Instant created, Instant lastUsed) {}

    public BrowserSessions(Clock clock) {
        this.clock = clock;
    }

    /** Starts a session and returns its id: 32 random bytes, URL-safe Base64. */
    public synchronized String start() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        sessions.put(id, new Times(now, now));
        Iterator<String> oldest = sessions.keySet().iterator();
        while (sessions.size() > MAX_SESSIONS) {
            oldest.next();
            oldest.remove();
        }
        return id;
    }

    /** Whether {@code id} names a live session; a live session's idle time starts again. */
    public synchronized boolean accepts(String id) {
        if (id == null || id.isEmpty()) {
            return false;
        }
        Times times = sessions.get(id);
        if (times == null) {
            return false;
        }
        Instant now = clock.instant();
        if (now.isAfter(times.lastUsed().plus(IDLE_TIMEOUT)) || now.isAfter(times.created().plus(MAX_AGE))) {
            sessions.remove(id);
            return false;
        }
        sessions.put(id, new Times(times.created(), now));
        return true;
    }

    /** Ends the session, if there is one. */
    public synchronized void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }
}
