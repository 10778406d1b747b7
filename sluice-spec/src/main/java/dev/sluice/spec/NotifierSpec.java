package dev.sluice.spec;

import java.util.List;
import java.util.Optional;

/**
 * Where alert notifications are delivered. Secret values (webhook secrets, SMTP passwords, URLs that embed a token)
 * are written as {@code ${env:NAME}} and kept here as that reference: they are resolved only when a notification is
 * sent, so they never appear in the spec, its errors or the logs.
 *
 * @param name              the notifier name, referenced by an alert's {@code notify}
 * @param type              webhook, slack or email
 * @param url               webhook and slack: the URL to POST to (may be a {@code ${env:NAME}} reference)
 * @param secret            webhook: the shared HMAC-SHA256 secret (a {@code ${env:NAME}} reference), if any
 * @param smtp              email: the SMTP server and addresses
 * @param allowPrivateNetworks whether this notifier may reach loopback, private and link-local addresses, which the
 *                          SSRF guard refuses otherwise (for receivers inside a trusted network and for tests)
 */
public record NotifierSpec(String name, Type type, String url, Optional<String> secret, Optional<Smtp> smtp,
        boolean allowPrivateNetworks, Location location) {

    /** The kinds of notifier. */
    public enum Type { WEBHOOK, SLACK, EMAIL }

    /**
     * An SMTP server. {@code starttls} requires STARTTLS before authenticating; {@code username}/{@code password} are
     * optional ({@code password} a {@code ${env:NAME}} reference).
     */
    public record Smtp(String host, int port, String from, List<String> to, boolean starttls,
            Optional<String> username, Optional<String> password) {
        public Smtp {
            to = List.copyOf(to);
        }
    }
}
